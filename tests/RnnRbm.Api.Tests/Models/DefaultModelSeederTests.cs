using System.Net.Http.Json;
using RnnRbm.Api.Models;

namespace RnnRbm.Api.Tests.Models;

public class DefaultModelSeederTests
{
    [Fact]
    public async Task FirstStart_SeedsTheBundledModelOnce()
    {
        string bundled = Directory.CreateTempSubdirectory("rnnrbm-bundled-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(bundled, "models"));
            byte[] file = ModelsApiTests.SmallModelFile("Nottingham");
            await File.WriteAllBytesAsync(Path.Combine(bundled, "models", "nottingham-default.rnnrbm"), file);
            var settings = new Dictionary<string, string?> { ["RnnRbm:SeedDemo"] = "true", ["RnnRbm:BundledDataFolder"] = bundled };

            using var first = new RnnRbmAppFactory(settings);
            using (HttpClient client = first.CreateClient())
            {
                ModelSummary seeded = Assert.Single((await client.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!);
                Assert.Equal("Nottingham default", seeded.Name);
                Assert.Equal("bundled", seeded.Origin);
                Assert.Equal(file, await client.GetByteArrayAsync(new Uri($"/api/models/{seeded.Id}/file", UriKind.Relative)));
            }

            // A restart on the same database does not add it again.
            using var second = new RnnRbmAppFactory(settings, dataFolder: first.DataFolder);
            using HttpClient again = second.CreateClient();
            Assert.Single((await again.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!);
        }
        finally
        {
            Directory.Delete(bundled, recursive: true);
        }
    }

    [Fact]
    public async Task Start_WithoutTheBundledFile_SeedsNothing_AndServes()
    {
        string bundled = Directory.CreateTempSubdirectory("rnnrbm-bundled-").FullName;
        try
        {
            using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:SeedDemo"] = "true", ["RnnRbm:BundledDataFolder"] = bundled });
            using HttpClient client = app.CreateClient();
            Assert.Empty((await client.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!);
        }
        finally
        {
            Directory.Delete(bundled, recursive: true);
        }
    }

    [Fact]
    public async Task SeedDemoOff_SeedsNothing()
    {
        using var app = new RnnRbmAppFactory(); // the factory turns SeedDemo off
        using HttpClient client = app.CreateClient();
        Assert.DoesNotContain((await client.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!, m => m.Origin == "bundled");
    }
}
