using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace RnnRbm.Api.Generation;

/// <summary>
/// Completes the OpenAPI operation of POST /generate: API Explorer keeps one response type per status code, so of its
/// three 200 bodies (audio/midi, image/png, application/json) only the last declared would be documented. This puts
/// every declared media type back under 200, files as <c>format: binary</c>, and documents the response headers.
/// </summary>
internal sealed class GenerateOperationFilter : IOperationFilter
{
    /// <summary>Endpoint metadata that opts an operation into this filter.</summary>
    internal sealed class Marker;

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        IList<object> metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<Marker>().Any() || operation.Responses is null)
        {
            return;
        }
        if (operation.Responses.TryGetValue("200", out IOpenApiResponse? found) && found is OpenApiResponse ok)
        {
            ok.Content ??= new Dictionary<string, OpenApiMediaType>();
            foreach (IProducesResponseTypeMetadata produces in metadata.OfType<IProducesResponseTypeMetadata>().Where(p => p.StatusCode == StatusCodes.Status200OK))
            {
                IOpenApiSchema schema = produces.Type is null || produces.Type == typeof(Stream)
                    ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" }
                    : context.SchemaGenerator.GenerateSchema(produces.Type, context.SchemaRepository);
                foreach (string contentType in produces.ContentTypes)
                {
                    ok.Content[contentType] = new OpenApiMediaType { Schema = schema };
                }
            }
            ok.Description = "The piece, in the requested format.";
            ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
            ok.Headers[GenerateEndpoint.SeedHeader] = Header("The seed used (decimal): send it back to regenerate the same piece.", JsonSchemaType.String);
            ok.Headers[GenerateEndpoint.GenerationIdHeader] = Header("The generation's id in the history (GET /api/generations/{id}).", JsonSchemaType.String);
        }
        if (operation.Responses.TryGetValue("429", out IOpenApiResponse? busy) && busy is OpenApiResponse tooMany)
        {
            tooMany.Headers ??= new Dictionary<string, IOpenApiHeader>();
            tooMany.Headers["Retry-After"] = Header("Seconds to wait before trying again.", JsonSchemaType.Integer);
        }
    }

    private static OpenApiHeader Header(string description, JsonSchemaType type) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };
}
