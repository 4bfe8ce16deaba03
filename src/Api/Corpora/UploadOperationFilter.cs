using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace RnnRbm.Api.Corpora;

/// <summary>Documents the <c>Retry-After</c> header of the upload's 429 (the upload budget is full), as /generate's is.</summary>
internal sealed class UploadOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.OperationId != "CreateCorpus" || operation.Responses is null)
        {
            return;
        }
        if (operation.Responses.TryGetValue("429", out IOpenApiResponse? busy) && busy is OpenApiResponse tooMany)
        {
            tooMany.Description = "Every upload place is taken (RnnRbm:UploadConcurrency); nothing was kept.";
            tooMany.Headers ??= new Dictionary<string, IOpenApiHeader>();
            tooMany.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before trying again.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
            };
        }
    }
}
