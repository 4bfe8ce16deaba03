using Microsoft.Kiota.Abstractions;
using RnnRbm.Client.Models;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Client.Tests;

/// <summary>The Kiota client of src/Client, generated from docs/openapi.json, against the service in process.</summary>
public class KiotaContractTests
{
    [Theory]
    [InlineData(null)]
    [InlineData(ContractKit.ApiKey)]
    public async Task RoundTrip_ListsModels_UploadsACorpus_Trains_AndGeneratesMidi(string? apiKey)
    {
        using RnnRbmAppFactory app = ContractKit.App(apiKey);
        using HttpClient http = app.CreateClient();
        RnnRbmApiClient client = RnnRbmClientFactory.Create(http, apiKey);

        Assert.Empty((await client.Api.Models.GetAsync())!);

        CorpusDetails corpus = (await client.Api.Corpora.PostAsync(Upload("kiota contract")))!;
        Assert.Equal("kiota contract", corpus.Name);
        Assert.Equal(ContractKit.DemoFiles.Count, corpus.Files!.Count);

        TrainingResponse started = (await client.Api.Trainings.PostAsync(new StartTrainingRequest
        {
            CorpusId = corpus.Id,
            StepsPerQuarter = 2,
            Hidden = 16,
            Recurrent = 8,
            CdK = 1,
            Epochs = 1,
            Seed = 42,
        }))!;
        TrainingResponse done = await Eventually.WaitForAsync(
            async () => (await client.Api.Trainings[started.Id!.Value].GetAsync())!,
            t => ContractKit.IsFinished(t.State), ContractKit.TrainingTimeoutSeconds,
            t => $"Training {started.Id}: state {t.State}, epoch {t.Epoch}/{t.Epochs}, error {t.Error}", pollMilliseconds: 100);
        Assert.True(done.State == "succeeded", $"The training ended {done.State}: {done.Error}");
        Assert.Contains((await client.Api.Models.GetAsync())!, m => m.Id == done.ModelId);

        await using Stream midi = (await client.Generate.PostAsync(new GenerateRequest
        {
            ModelId = done.ModelId,
            Steps = ContractKit.GeneratedSteps,
            GibbsK = 3,
            Seed = 7,
        }))!;
        using var bytes = new MemoryStream();
        await midi.CopyToAsync(bytes);
        PianoRoll roll = ContractKit.ReadMidi(bytes.ToArray());
        Assert.Equal(ContractKit.GeneratedSteps, roll.Steps);

        // One generation kept as a resource, two views of it: the MIDI (the same piece /generate answered) and a PNG.
        GenerationSummary generation = (await client.Api.Generations.PostAsync(new GenerateRequest
        {
            ModelId = done.ModelId,
            Steps = ContractKit.GeneratedSteps,
            GibbsK = 3,
            Seed = 7,
        }))!;
        Assert.Equal(ContractKit.GeneratedSteps, generation.Piece!.Steps);
        await using Stream view = (await client.Api.Generations[generation.Id!.Value].Midi.GetAsync())!;
        using var viewBytes = new MemoryStream();
        await view.CopyToAsync(viewBytes);
        Assert.Equal(bytes.ToArray(), viewBytes.ToArray());
        await using Stream png = (await client.Api.Generations[generation.Id!.Value].Png.GetAsync())!;
        ContractKit.AssertPng(png);
    }

    [Fact]
    public async Task WithAKeyOnTheServer_AChangeWithoutIt_IsRefusedWith401_AndReadsStayOpen()
    {
        using RnnRbmAppFactory app = ContractKit.App(ContractKit.ApiKey);
        using HttpClient http = app.CreateClient();
        RnnRbmApiClient client = RnnRbmClientFactory.Create(http);

        ApiException refused = await Assert.ThrowsAnyAsync<ApiException>(() => client.Api.Corpora.PostAsync(Upload("no key")));

        Assert.Equal(401, refused.ResponseStatusCode);
        Assert.Empty((await client.Api.Corpora.GetAsync())!);
    }

    private static MultipartBody Upload(string name)
    {
        var body = new MultipartBody();
        body.AddOrReplacePart("name", "text/plain", name);
        foreach (string path in ContractKit.DemoFiles)
        {
            body.AddOrReplacePart("files", "audio/midi", File.ReadAllBytes(path), Path.GetFileName(path));
        }
        return body;
    }
}
