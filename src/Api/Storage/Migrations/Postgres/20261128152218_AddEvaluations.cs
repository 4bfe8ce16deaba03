using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RnnRbm.Api.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddEvaluations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "evaluations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ModelId = table.Column<Guid>(type: "uuid", nullable: false),
                    CorpusId = table.Column<Guid>(type: "uuid", nullable: false),
                    Split = table.Column<string>(type: "text", nullable: false),
                    AisRuns = table.Column<int>(type: "integer", nullable: false),
                    AisSteps = table.Column<int>(type: "integer", nullable: false),
                    AccSamples = table.Column<int>(type: "integer", nullable: false),
                    Seed = table.Column<long>(type: "bigint", nullable: false),
                    State = table.Column<string>(type: "text", nullable: false),
                    Progress = table.Column<double>(type: "double precision", nullable: false),
                    LogLikelihood = table.Column<double>(type: "double precision", nullable: true),
                    StandardError = table.Column<double>(type: "double precision", nullable: true),
                    Accuracy = table.Column<double>(type: "double precision", nullable: true),
                    Sequences = table.Column<int>(type: "integer", nullable: true),
                    Steps = table.Column<long>(type: "bigint", nullable: true),
                    Seconds = table.Column<double>(type: "double precision", nullable: true),
                    Gflops = table.Column<double>(type: "double precision", nullable: true),
                    Backend = table.Column<string>(type: "text", nullable: true),
                    Error = table.Column<string>(type: "text", nullable: true),
                    JobId = table.Column<string>(type: "text", nullable: true),
                    CreatedUtc = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedUtc = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedUtc = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_evaluations", x => x.Id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "evaluations");
        }
    }
}
