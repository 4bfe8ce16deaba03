using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// Makes every operation of the OpenAPI document say what it really does, so that a generated client (Kiota, NSwag)
/// works without edits: file responses are binary under each media type declared (API Explorer keeps one per status);
/// the API-key requirement and its 401 sit on exactly the operations whose endpoint needs the key; an operation with
/// a body also answers 400 and 413, one with an id in its path 404, and every 429 carries Retry-After; all errors as
/// problem+json.
/// </summary>
internal sealed class ApiContractFilter : IOperationFilter
{
    public const string SecurityScheme = "apiKey";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        IList<object> metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= [];
        DescribeFiles(operation, metadata);

        string method = context.ApiDescription.HttpMethod ?? "GET";
        if (metadata.OfType<ApiKey.RequiredForChanges>().Any() && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecurityScheme, context.Document)] = [] }];
            EnsureProblem(operation, context, StatusCodes.Status401Unauthorized, $"The server has an API key and the {ApiKey.Header} header is missing or wrong.");
        }
        if (operation.RequestBody is not null)
        {
            EnsureProblem(operation, context, StatusCodes.Status400BadRequest, "The body is not valid: `errors` names each field and what is wrong.");
            EnsureProblem(operation, context, StatusCodes.Status413PayloadTooLarge, "The body is larger than this operation takes.");
        }
        if (context.ApiDescription.ParameterDescriptions.Any(p => p.Source?.Id == "Path"))
        {
            EnsureProblem(operation, context, StatusCodes.Status404NotFound, "No such resource.");
        }
        if (operation.Responses.TryGetValue("429", out IOpenApiResponse? busy) && busy is OpenApiResponse tooMany)
        {
            tooMany.Headers ??= new Dictionary<string, IOpenApiHeader>();
            tooMany.Headers["Retry-After"] = Header("Seconds to wait before trying again.", JsonSchemaType.Integer);
        }
    }

    /// <summary>A response header for the document.</summary>
    public static OpenApiHeader Header(string description, JsonSchemaType type) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };

    private static void DescribeFiles(OpenApiOperation operation, IList<object> metadata)
    {
        foreach (IGrouping<int, IProducesResponseTypeMetadata> status in metadata.OfType<IProducesResponseTypeMetadata>()
            .Where(p => p.Type == typeof(Stream)).GroupBy(p => p.StatusCode))
        {
            string code = status.Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.Responses!.TryGetValue(code, out IOpenApiResponse? found) || found is not OpenApiResponse response)
            {
                continue;
            }
            response.Content = new Dictionary<string, OpenApiMediaType>();
            foreach (string contentType in status.SelectMany(p => p.ContentTypes))
            {
                response.Content[contentType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
            }
        }
    }

    private static void EnsureProblem(OpenApiOperation operation, OperationFilterContext context, int status, string description)
    {
        string code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(code))
        {
            return;
        }
        IOpenApiSchema schema = context.SchemaGenerator.GenerateSchema(
            status == StatusCodes.Status400BadRequest ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails), context.SchemaRepository);
        operation.Responses[code] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = schema } },
        };
    }
}
