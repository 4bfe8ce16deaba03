using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RnnRbm.Api.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EvaluationConvergenceAndBaselines : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<int>(
                name: "AisSteps",
                table: "evaluations",
                type: "integer",
                nullable: true,
                oldClrType: typeof(int),
                oldType: "integer");

            migrationBuilder.AddColumn<double>(
                name: "AccuracyDeterministic",
                table: "evaluations",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "AisConverged",
                table: "evaluations",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AisSchedule",
                table: "evaluations",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "AisShift",
                table: "evaluations",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "AisTolerance",
                table: "evaluations",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AisTransitions",
                table: "evaluations",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "BaselineAccuracy",
                table: "evaluations",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "BaselineLogLikelihood",
                table: "evaluations",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BaselineNote",
                table: "evaluations",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AccuracyDeterministic",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "AisConverged",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "AisSchedule",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "AisShift",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "AisTolerance",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "AisTransitions",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "BaselineAccuracy",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "BaselineLogLikelihood",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "BaselineNote",
                table: "evaluations");

            migrationBuilder.AlterColumn<int>(
                name: "AisSteps",
                table: "evaluations",
                type: "integer",
                nullable: false,
                defaultValue: 0,
                oldClrType: typeof(int),
                oldType: "integer",
                oldNullable: true);
        }
    }
}
