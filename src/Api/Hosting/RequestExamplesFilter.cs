using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Training;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// A whole example body for the requests whose fields are a record's parameters (an XML <c>example</c> can only sit on
/// a property): what Swagger UI pre-fills and what a reader of the document copies. Ids are placeholders to replace
/// with real ones (GET /api/corpora, GET /api/models).
/// </summary>
internal sealed class RequestExamplesFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema target)
        {
            return;
        }
        if (context.Type == typeof(StartTrainingRequest))
        {
            // Only the corpus: every other field takes the default recipe's value.
            target.Example = new JsonObject { ["corpusId"] = "0193a5e2-7c1d-7b4e-9f0a-2c5d8e6f1a3b" };
        }
        else if (context.Type == typeof(Searches.StartSearchRequest))
        {
            // The corpus and the budget: the space is the default one.
            target.Example = new JsonObject { ["corpusId"] = "0193a5e2-7c1d-7b4e-9f0a-2c5d8e6f1a3b", ["budgetMinutes"] = 60 };
        }
        else if (context.Type == typeof(StartEvaluationRequest))
        {
            target.Example = new JsonObject
            {
                ["modelId"] = "0193a5e2-7c1d-7b4e-9f0a-2c5d8e6f1a3b",
                ["corpusId"] = "0193a5e2-8d2e-7c5f-a01b-3d6e9f7a2b4c",
                ["split"] = "test",
            };
        }
    }
}
