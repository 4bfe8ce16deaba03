namespace RnnRbm.Api.Models;

/// <summary>Wires the Models feature: the check of stored files (<see cref="ModelIntegrity"/>), the default-model seeder (endpoints: <see cref="ModelsApi.MapModels"/>).</summary>
public static class ModelsSetup
{
    public static WebApplicationBuilder AddModels(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ModelIntegrity>();
        builder.Services.AddHostedService<DefaultModelSeeder>();
        return builder;
    }
}
