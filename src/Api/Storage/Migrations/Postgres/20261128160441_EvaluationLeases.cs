using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RnnRbm.Api.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EvaluationLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CancelRequested",
                table: "evaluations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LeaseHeartbeatUtc",
                table: "evaluations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LeaseOwner",
                table: "evaluations",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "Version",
                table: "evaluations",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateIndex(
                name: "IX_evaluations_ModelId",
                table: "evaluations",
                column: "ModelId");

            migrationBuilder.CreateIndex(
                name: "IX_evaluations_State",
                table: "evaluations",
                column: "State");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_evaluations_ModelId",
                table: "evaluations");

            migrationBuilder.DropIndex(
                name: "IX_evaluations_State",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "CancelRequested",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "LeaseHeartbeatUtc",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "LeaseOwner",
                table: "evaluations");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "evaluations");
        }
    }
}
