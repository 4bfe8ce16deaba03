namespace RnnRbm.Api.Tests.Generation;

/// <summary>One app with one small model, shared by the tests of a class that only generate (they never change settings).</summary>
public sealed class GenerationAppFixture : IAsyncLifetime
{
    public RnnRbmAppFactory App { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public Guid ModelId { get; private set; }

    public async Task InitializeAsync()
    {
        Client = App.CreateClient();
        ModelId = await GenerationTestData.AddModelAsync(App);
    }

    public Task DisposeAsync()
    {
        Client.Dispose();
        App.Dispose();
        return Task.CompletedTask;
    }
}
