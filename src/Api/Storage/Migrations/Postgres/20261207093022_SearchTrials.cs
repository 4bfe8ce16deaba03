using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RnnRbm.Api.Storage.Migrations.Postgres
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SearchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    SettingsJson = table.Column<string>(type: "text", nullable: false),
                    State = table.Column<string>(type: "text", nullable: false),
                    TrialState = table.Column<string>(type: "text", nullable: false),
                    TargetRung = table.Column<int>(type: "integer", nullable: false),
                    Rung = table.Column<int>(type: "integer", nullable: false),
                    RungScoresJson = table.Column<string>(type: "text", nullable: false),
                    EpochsCompleted = table.Column<int>(type: "integer", nullable: false),
                    Checkpoint = table.Column<byte[]>(type: "bytea", nullable: true),
                    HistoryJson = table.Column<string>(type: "text", nullable: false),
                    StoppingJson = table.Column<string>(type: "text", nullable: true),
                    BestValidLogLikelihood = table.Column<double>(type: "double precision", nullable: true),
                    BestEpoch = table.Column<int>(type: "integer", nullable: true),
                    Seconds = table.Column<double>(type: "double precision", nullable: false),
                    StopReason = table.Column<string>(type: "text", nullable: true),
                    CancelRequested = table.Column<bool>(type: "boolean", nullable: false),
                    Error = table.Column<string>(type: "text", nullable: true),
                    Backend = table.Column<string>(type: "text", nullable: true),
                    JobId = table.Column<string>(type: "text", nullable: true),
                    LeaseOwner = table.Column<string>(type: "text", nullable: true),
                    LeaseHeartbeatUtc = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedUtc = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedUtc = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedUtc = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Version = table.Column<long>(type: "bigint", nullable: false)
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
                    TrialId = table.Column<Guid>(type: "uuid", nullable: false),
                    Epoch = table.Column<int>(type: "integer", nullable: false),
                    Worker = table.Column<string>(type: "text", nullable: false),
                    CompletedUtc = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "Workers",
                table: "searches",
                type: "integer",
                nullable: true);
        }
    }
}
