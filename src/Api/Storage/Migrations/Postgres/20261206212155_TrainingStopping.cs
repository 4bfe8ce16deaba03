using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RnnRbm.Api.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TrainingStopping : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "StoppingJson",
                table: "trainings",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "StoppingJson",
                table: "trainings");
        }
    }
}
