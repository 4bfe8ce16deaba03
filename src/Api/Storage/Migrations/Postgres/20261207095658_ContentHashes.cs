using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RnnRbm.Api.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ContentHashes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ContentSha256",
                table: "models",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ContentSha256",
                table: "corpus_files",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_models_ContentSha256",
                table: "models",
                column: "ContentSha256");

            migrationBuilder.CreateIndex(
                name: "IX_corpus_files_ContentSha256",
                table: "corpus_files",
                column: "ContentSha256");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_models_ContentSha256",
                table: "models");

            migrationBuilder.DropIndex(
                name: "IX_corpus_files_ContentSha256",
                table: "corpus_files");

            migrationBuilder.DropColumn(
                name: "ContentSha256",
                table: "models");

            migrationBuilder.DropColumn(
                name: "ContentSha256",
                table: "corpus_files");
        }
    }
}
