using System.Net.Http.Json;
using RnnRbm.Api.Models;

namespace RnnRbm.Api.Tests.Models;

public class DefaultModelSeederTests
{
    [Fact]
    public async Task FirstStart_SeedsTheBundledModelsOnce_AndAnUpgradeAddsNewOnesOnly()
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

            // A restart on the same database does not add it again; a model bundled by an upgrade is added, once.
            byte[] piano = ModelsApiTests.SmallModelFile("Piano");
            await File.WriteAllBytesAsync(Path.Combine(bundled, "models", "piano-midi-tuned.rnnrbm"), piano);
            await File.WriteAllBytesAsync(Path.Combine(bundled, "models", "nottingham-tuned.rnnrbm"), "not a model"u8.ToArray());
            using var second = new RnnRbmAppFactory(settings, dataFolder: first.DataFolder);
            using HttpClient again = second.CreateClient();
            List<ModelSummary> models = (await again.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!;
            Assert.Equal(["Nottingham default", "Piano-midi.de tuned"], models.Select(m => m.Name).Order(StringComparer.Ordinal));
            Assert.All(models, m => Assert.Equal("bundled", m.Origin));
            ModelSummary added = Assert.Single(models, m => m.Name == "Piano-midi.de tuned");
            Assert.Equal(piano, await again.GetByteArrayAsync(new Uri($"/api/models/{added.Id}/file", UriKind.Relative)));

            using var third = new RnnRbmAppFactory(settings, dataFolder: first.DataFolder);
            using HttpClient thirdClient = third.CreateClient();
            Assert.Equal(2, (await thirdClient.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!.Count);
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
