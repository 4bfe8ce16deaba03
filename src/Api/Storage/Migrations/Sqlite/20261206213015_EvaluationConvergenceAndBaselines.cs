using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RnnRbm.Api.Storage.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(int),
                oldType: "INTEGER");

            migrationBuilder.AddColumn<double>(
                name: "AccuracyDeterministic",
                table: "evaluations",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "AisConverged",
                table: "evaluations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AisSchedule",
                table: "evaluations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "AisShift",
                table: "evaluations",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "AisTolerance",
                table: "evaluations",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AisTransitions",
                table: "evaluations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "BaselineAccuracy",
                table: "evaluations",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "BaselineLogLikelihood",
                table: "evaluations",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BaselineNote",
                table: "evaluations",
                type: "TEXT",
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
                type: "INTEGER",
                nullable: false,
                defaultValue: 0,
                oldClrType: typeof(int),
                oldType: "INTEGER",
                oldNullable: true);
        }
    }
}
