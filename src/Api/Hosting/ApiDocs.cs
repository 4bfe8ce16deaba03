using Microsoft.OpenApi;

namespace RnnRbm.Api.Hosting;

/// <summary>Swagger UI at /swagger, the OpenAPI document at /swagger/v1/swagger.json.</summary>
public static class ApiDocs
{
    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "RnnRbm",
                Version = "v1",
                Description = "Upload MIDI corpora, train RNN-RBM models in the background, and generate new pieces as MIDI, piano-roll PNG or JSON. " +
                    $"When the server has an API key, changes need it in the {ApiKey.Header} header.",
            });
            o.AddSecurityDefinition(ApiContractFilter.SecurityScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKey.Header,
                Description = "Needed for changes when the server is configured with an API key.",
            });
            // Every request body's bounds and defaults, from Core's declaration (the one the service checks).
            o.SchemaFilter<RequestLimitsSchemaFilter>();
            o.SchemaFilter<RequestExamplesFilter>();
            // Responses, media types and the key's security requirement as the endpoints really behave.
            o.OperationFilter<ApiContractFilter>();
            string xml = Path.Combine(AppContext.BaseDirectory, "RnnRbm.Api.xml");
            if (File.Exists(xml))
            {
                o.IncludeXmlComments(xml);
            }
        });
        return builder;
    }

    public static WebApplication UseApiDocs(this WebApplication app)
    {
        // The server entry is where the document was fetched from, so a client generated from it needs no base address.
        app.UseSwagger(o => o.PreSerializeFilters.Add((document, request) =>
            document.Servers = [new OpenApiServer { Url = $"{request.Scheme}://{request.Host.Value}{request.PathBase}" }]));
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/swagger/v1/swagger.json", "RnnRbm v1");
            o.RoutePrefix = "swagger";
        });
        return app;
    }
}
