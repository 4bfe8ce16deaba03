using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RnnRbm.Api.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class GenerationPiece : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "Piece",
                table: "generations",
                type: "bytea",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Piece",
                table: "generations");
        }
    }
}
