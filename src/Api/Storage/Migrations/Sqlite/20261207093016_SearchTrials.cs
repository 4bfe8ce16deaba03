using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RnnRbm.Api.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchTrials : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LeaderboardJson",
                table: "searches");

            migrationBuilder.DropColumn(
                name: "Workers",
                table: "searches");

            migrationBuilder.CreateTable(
                name: "search_trials",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    SearchId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    SettingsJson = table.Column<string>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", nullable: false),
                    TrialState = table.Column<string>(type: "TEXT", nullable: false),
                    TargetRung = table.Column<int>(type: "INTEGER", nullable: false),
                    Rung = table.Column<int>(type: "INTEGER", nullable: false),
                    RungScoresJson = table.Column<string>(type: "TEXT", nullable: false),
                    EpochsCompleted = table.Column<int>(type: "INTEGER", nullable: false),
                    Checkpoint = table.Column<byte[]>(type: "BLOB", nullable: true),
                    HistoryJson = table.Column<string>(type: "TEXT", nullable: false),
                    StoppingJson = table.Column<string>(type: "TEXT", nullable: true),
                    BestValidLogLikelihood = table.Column<double>(type: "REAL", nullable: true),
                    BestEpoch = table.Column<int>(type: "INTEGER", nullable: true),
                    Seconds = table.Column<double>(type: "REAL", nullable: false),
                    StopReason = table.Column<string>(type: "TEXT", nullable: true),
                    CancelRequested = table.Column<bool>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    Backend = table.Column<string>(type: "TEXT", nullable: true),
                    JobId = table.Column<string>(type: "TEXT", nullable: true),
                    LeaseOwner = table.Column<string>(type: "TEXT", nullable: true),
                    LeaseHeartbeatUtc = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedUtc = table.Column<long>(type: "INTEGER", nullable: false),
                    StartedUtc = table.Column<long>(type: "INTEGER", nullable: true),
                    FinishedUtc = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_search_trials", x => x.Id);
                    table.ForeignKey(
                        name: "FK_search_trials_searches_SearchId",
                        column: x => x.SearchId,
                        principalTable: "searches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "search_trial_epochs",
                columns: table => new
                {
                    TrialId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Epoch = table.Column<int>(type: "INTEGER", nullable: false),
                    Worker = table.Column<string>(type: "TEXT", nullable: false),
                    CompletedUtc = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_search_trial_epochs", x => new { x.TrialId, x.Epoch });
                    table.ForeignKey(
                        name: "FK_search_trial_epochs_search_trials_TrialId",
                        column: x => x.TrialId,
                        principalTable: "search_trials",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_search_trials_SearchId_Number",
                table: "search_trials",
                columns: new[] { "SearchId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_search_trials_State",
                table: "search_trials",
                column: "State");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "search_trial_epochs");

            migrationBuilder.DropTable(
                name: "search_trials");

            migrationBuilder.AddColumn<string>(
                name: "LeaderboardJson",
                table: "searches",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "Workers",
                table: "searches",
                type: "INTEGER",
                nullable: true);
        }
    }
}
