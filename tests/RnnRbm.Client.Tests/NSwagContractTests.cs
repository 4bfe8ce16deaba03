using RnnRbm.Client.Tests.NSwag;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Client.Tests;

/// <summary>A client NSwag generates from docs/openapi.json at build time, against the service in process.</summary>
public class NSwagContractTests
{
    [Theory]
    [InlineData(null)]
    [InlineData(ContractKit.ApiKey)]
    public async Task RoundTrip_ListsModels_UploadsACorpus_Trains_AndGeneratesMidi(string? apiKey)
    {
        using RnnRbmAppFactory app = ContractKit.App(apiKey);
        using HttpClient http = app.CreateClient();
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Add(RnnRbmClientFactory.ApiKeyHeader, apiKey);
        }
        var client = new RnnRbmNSwagClient(http);

        Assert.Empty(await client.ListModelsAsync());

        CorpusDetails corpus = await UploadAsync(client, "nswag contract");
        Assert.Equal("nswag contract", corpus.Name);
        Assert.Equal(ContractKit.DemoFiles.Count, corpus.Files!.Count);

        TrainingResponse started = await client.StartTrainingAsync(new StartTrainingRequest
        {
            CorpusId = corpus.Id,
            StepsPerQuarter = 2,
            Hidden = 16,
            Recurrent = 8,
            CdK = 1,
            Epochs = 1,
            Seed = 42,
        });
        TrainingResponse done = await Eventually.WaitForAsync(() => client.GetTrainingAsync(started.Id!.Value),
            t => ContractKit.IsFinished(t.State), ContractKit.TrainingTimeoutSeconds,
            t => $"Training {started.Id}: state {t.State}, epoch {t.Epoch}/{t.Epochs}, error {t.Error}", pollMilliseconds: 100);
        Assert.True(done.State == "succeeded", $"The training ended {done.State}: {done.Error}");
        Assert.Contains(await client.ListModelsAsync(), m => m.Id == done.ModelId);

        using FileResponse midi = await client.GenerateAsync(new GenerateRequest
        {
            ModelId = done.ModelId!.Value,
            Steps = ContractKit.GeneratedSteps,
            GibbsK = 3,
            Seed = 7,
        });
        Assert.Equal(200, midi.StatusCode);
        using var bytes = new MemoryStream();
        await midi.Stream.CopyToAsync(bytes);
        PianoRoll roll = ContractKit.ReadMidi(bytes.ToArray());
        Assert.Equal(ContractKit.GeneratedSteps, roll.Steps);

        // One generation kept as a resource, two views of it: the MIDI (the same piece /generate answered) and a PNG.
        GenerationSummary generation = await client.CreateGenerationAsync(new GenerateRequest
        {
            ModelId = done.ModelId!.Value,
            Steps = ContractKit.GeneratedSteps,
            GibbsK = 3,
            Seed = 7,
        });
        Assert.Equal(ContractKit.GeneratedSteps, generation.Piece!.Notes!.Count);
        using FileResponse view = await client.GetGenerationMidiAsync(generation.Id!.Value);
        using var viewBytes = new MemoryStream();
        await view.Stream.CopyToAsync(viewBytes);
        Assert.Equal(bytes.ToArray(), viewBytes.ToArray());
        using FileResponse png = await client.GetGenerationPngAsync(generation.Id!.Value);
        ContractKit.AssertPng(png.Stream);
    }

    [Fact]
    public async Task WithAKeyOnTheServer_AChangeWithoutIt_IsRefusedWith401_AndReadsStayOpen()
    {
        using RnnRbmAppFactory app = ContractKit.App(ContractKit.ApiKey);
        using HttpClient http = app.CreateClient();
        var client = new RnnRbmNSwagClient(http);

        ApiException refused = await Assert.ThrowsAnyAsync<ApiException>(() => UploadAsync(client, "no key"));

        Assert.Equal(401, refused.StatusCode);
        Assert.Empty(await client.ListCorporaAsync());
    }

    private static async Task<CorpusDetails> UploadAsync(RnnRbmNSwagClient client, string name)
    {
        var files = new List<FileParameter>();
        foreach (string path in ContractKit.DemoFiles)
        {
            files.Add(new FileParameter(new MemoryStream(await File.ReadAllBytesAsync(path)), Path.GetFileName(path), "audio/midi"));
        }
        // NSwag's client refuses null for any multipart field the document does not mark nullable, required or not:
        // the optional ones go with their documented defaults.
        return await client.CreateCorpusAsync(name, files, validFraction: "0.1", splitSeed: "0");
    }
}
