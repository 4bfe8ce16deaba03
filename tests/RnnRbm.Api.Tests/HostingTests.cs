using System.Net;

namespace RnnRbm.Api.Tests;

public class HostingTests
{
    [Fact]
    public async Task FirstStart_CreatesTheDatabase_AndServesTheOpenApiDocument()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        HttpResponseMessage response = await client.GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(File.Exists(Path.Combine(app.DataFolder, "rnnrbm.db")));
    }

    [Fact]
    public async Task UnknownPath_IsProblemJson()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        HttpResponseMessage response = await client.GetAsync(new Uri("/api/nothing-here", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
