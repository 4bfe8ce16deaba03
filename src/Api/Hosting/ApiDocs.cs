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
            o.AddSecurityDefinition("apiKey", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKey.Header,
                Description = "Needed for changes when the server is configured with an API key.",
            });
            // Every request body's bounds and defaults, from Core's declaration (the one the service checks).
            o.SchemaFilter<RequestLimitsSchemaFilter>();
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
        app.UseSwagger();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/swagger/v1/swagger.json", "RnnRbm v1");
            o.RoutePrefix = "swagger";
        });
        return app;
    }
}
