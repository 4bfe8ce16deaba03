namespace RnnRbm.Api.Corpora;

/// <summary>Wires the Corpora feature: the importer other features may use, the demo seeding, the endpoints.</summary>
public static class CorporaSetup
{
    public static WebApplicationBuilder AddCorpora(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<CorpusImporter>();
        builder.Services.AddSingleton<UploadBudget>();
        builder.Services.ConfigureSwaggerGen(o => o.OperationFilter<UploadOperationFilter>());
        // Hosted services start one after another in registration order (HostOptions.ServicesStartConcurrently
        // is false by default): AddRnnRbmStorage registers DatabaseInitializer before this, so the tables exist
        // when the seeder runs. Program.cs calls AddRnnRbmStorage() before AddCorpora().
        builder.Services.AddHostedService<DemoCorpusSeeder>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCorpora(this IEndpointRouteBuilder app) => app.MapCorporaApi();
}
