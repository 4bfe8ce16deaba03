using Microsoft.OpenApi;
using RnnRbm.Api.Hosting;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace RnnRbm.Api.Generation;

/// <summary>Documents the headers of a generation's answer (POST /generate, POST /api/generations): the seed and the history id.</summary>
internal sealed class GenerateOperationFilter : IOperationFilter
{
    /// <summary>Endpoint metadata that opts an operation into this filter.</summary>
    internal sealed class Marker;

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<Marker>().Any() || operation.Responses is null)
        {
            return;
        }
        foreach (IOpenApiResponse found in operation.Responses.Where(r => r.Key.StartsWith('2')).Select(r => r.Value))
        {
            if (found is OpenApiResponse ok)
            {
                ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
                ok.Headers[GenerateEndpoint.SeedHeader] = ApiContractFilter.Header("The seed used (decimal): send it back to regenerate the same piece.", JsonSchemaType.String);
                ok.Headers[GenerateEndpoint.GenerationIdHeader] = ApiContractFilter.Header("The generation's id (GET /api/generations/{id} and its views); with count above 1 every piece's id, comma-separated, in seed order.", JsonSchemaType.String);
            }
        }
    }
}
