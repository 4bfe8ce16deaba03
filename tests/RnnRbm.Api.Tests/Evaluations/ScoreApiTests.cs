using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Corpora;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Tests.Corpora;
using RnnRbm.Api.Tests.Generation;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Tests.Evaluations;

public class ScoreApiTests(GenerationAppFixture fixture) : IClassFixture<GenerationAppFixture>
{
    private readonly HttpClient _client = fixture.Client;

    // A rising and falling line with a chord every fourth step, on the small model's 12 pitches.
    private static PianoRoll Tune(int steps, int shift = 0) =>
        PianoRoll.FromNoteLists([.. Enumerable.Range(0, steps).Select(t => (IReadOnlyList<int>)(t % 4 == 0
            ? [60 + ((t + shift) % 5), 64 + ((t + shift) % 5), 67 + ((t + shift) % 5)]
            : [60 + ((t + shift) % 12)]))], GenerationTestData.Range);

    private static byte[] Midi(PianoRoll roll) => MidiWriter.Write(roll, new MidiWriteOptions { Grid = GenerationTestData.Grid });

    [Fact]
    public async Task Score_GivesEachStepsSurprise_TheFloors_AndTheSameFiguresAgain()
    {
        byte[] corpusFile = Midi(Tune(48));
        CorpusDetails corpus = await _client.UploadOk("score corpus", Enumerable.Range(0, 5).Select(i => ($"t{i}.mid", corpusFile)));
        Guid model = await GenerationTestData.AddModelAsync(fixture.App, GenerationTestData.SmallModel(5), "scored", corpus.Id);
        byte[] pieceFile = Midi(Tune(30, shift: 2));
        PianoRoll piece = GenerationTestData.ReadMidi(pieceFile);

        JsonElement score = await ScoreOkAsync(model, pieceFile, seed: "42");

        Assert.Equal(piece.Steps, score.GetProperty("steps").GetInt32());
        double[] surprise = Doubles(score, "surprise");
        Assert.Equal(piece.Steps, surprise.Length);
        Assert.All(surprise, s => Assert.True(s > 0, $"surprise {s}: −log of a probability of a binary frame is positive"));
        Assert.Equal(-surprise.Average(), score.GetProperty("logLikelihoodPerStep").GetDouble(), 9);
        Assert.Equal(piece.Steps, Doubles(score, "surpriseStandardError").Length);

        // The same estimator as an evaluation of this piece alone, on the service's backend, with the score's settings.
        var evaluator = new RnnRbmEvaluator(GenerationTestData.SmallModel(5).Parameters, fixture.App.Services.GetRequiredService<NumericsBackend>());
        EvaluationResult expected = evaluator.Evaluate([piece], ScoreLimits.Options(42));
        Assert.Equal(expected.StepLogLikelihoods.Select(l => -l), surprise);
        Assert.Equal(expected.BaselineAccuracy!.Value, score.GetProperty("baselineAccuracy").GetDouble(), 12);

        // The floor: independent notes fitted on the corpus's train files (as an evaluation fits it), step by step.
        int trainFiles = corpus.Files.Count(f => f.Split == "train");
        double[] p = Baselines.FitIndependentBernoullis([.. Enumerable.Repeat(GenerationTestData.ReadMidi(corpusFile), trainFiles)]);
        Assert.Equal(Baselines.IndependentBernoulliLogLikelihood(p, [piece]), score.GetProperty("baselineLogLikelihood").GetDouble(), 10);
        Assert.Equal(Baselines.IndependentBernoulliStepLogLikelihoods(p, piece).Select(l => -l), Doubles(score, "baselineSurprise"), new Close(1e-10));

        Assert.Equal(0, score.GetProperty("corpusFigures").GetArrayLength());
        Assert.Contains("no evaluation of the model to compare with", score.GetProperty("summary").GetString(), StringComparison.Ordinal);

        JsonElement again = await ScoreOkAsync(model, pieceFile, seed: "42");
        Assert.Equal(surprise, Doubles(again, "surprise"));
    }

    [Fact]
    public async Task Score_ReadsThePieceAgainstTheModelsEvaluation_AndDrawsTheCurve()
    {
        Guid model = await GenerationTestData.AddModelAsync(fixture.App, GenerationTestData.SmallModel(6), "evaluated");
        Guid corpus = Guid.NewGuid();
        using (IServiceScope scope = fixture.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
            // Two test evaluations (the newer counts) and a valid one; a failed one is not a figure.
            db.Evaluations.AddRange(
                Evaluation(model, corpus, "test", -50.0, DateTimeOffset.UtcNow.AddHours(-2)),
                Evaluation(model, corpus, "test", -0.5, DateTimeOffset.UtcNow.AddHours(-1)),
                Evaluation(model, corpus, "valid", -0.6, DateTimeOffset.UtcNow.AddHours(-1)),
                Failed(Evaluation(model, corpus, "train", -0.1, DateTimeOffset.UtcNow)));
            await db.SaveChangesAsync();
        }
        byte[] pieceFile = Midi(Tune(20));

        JsonElement score = await ScoreOkAsync(model, pieceFile);

        JsonElement[] figures = [.. score.GetProperty("corpusFigures").EnumerateArray()];
        Assert.Equal(["test", "valid"], figures.Select(f => f.GetProperty("split").GetString()));
        Assert.Equal(-0.5, figures[0].GetProperty("logLikelihood").GetDouble());
        // An untrained small model finds a tune far less likely than −0.5 nats per step.
        Assert.Contains("less likely than the test music of its corpus", score.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(1234, score.GetProperty("seed").GetInt64());
        Assert.Equal(JsonValueKind.Null, score.GetProperty("baselineLogLikelihood").ValueKind);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/models/{model}/score") { Content = Form(pieceFile, "piece.mid") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/png"));
        using HttpResponseMessage png = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        byte[] image = await png.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], image[..4]);
    }

    [Fact]
    public async Task Score_BadInput_IsAProblemNamingIt_NeverA500()
    {
        var range = GenerationTestData.Range;
        byte[] silent = Midi(new PianoRoll(16, range));
        byte[] outside = MidiWriter.Write(PianoRoll.FromNoteLists([[30], [31], [32]], new PitchRange(21, 109)), new MidiWriteOptions { Grid = GenerationTestData.Grid });
        byte[] tooLong = Midi(Tune(ScoreLimits.MaxSteps + 1));
        (byte[] File, string? Seed, string Field, string Message)[] cases =
        [
            ("not a midi file at all"u8.ToArray(), null, "file", "piece.mid: invalid MIDI file"),
            (silent, null, "file", "the piece has no note to score"),
            (outside, null, "file", "all 3 notes lie outside the model's pitch range"),
            (tooLong, null, "file", $"above the limit of {ScoreLimits.MaxSteps}"),
            (Midi(Tune(8)), "-1", "seed", "seed must be a whole number"),
            (Midi(Tune(8)), "9007199254740992", "seed", "seed must lie in [0, 9007199254740991]"),
        ];
        foreach ((byte[] file, string? seed, string field, string message) in cases)
        {
            using HttpResponseMessage response = await _client.PostAsync(new Uri($"/api/models/{fixture.ModelId}/score", UriKind.Relative), Form(file, "piece.mid", seed));
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{message}: {(int)response.StatusCode} {body}");
            Assert.Contains(message, Assert.Single((await response.Errors())[field]), StringComparison.Ordinal);
        }

        using HttpResponseMessage json = await _client.PostAsJsonAsync(new Uri($"/api/models/{fixture.ModelId}/score", UriKind.Relative), new { file = "x" });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode); // the endpoint takes multipart/form-data only
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);

        using var noFile = new MultipartFormDataContent { { new StringContent("1"), "seed" } };
        using HttpResponseMessage missing = await _client.PostAsync(new Uri($"/api/models/{fixture.ModelId}/score", UriKind.Relative), noFile);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);

        using HttpResponseMessage unknown = await _client.PostAsync(new Uri($"/api/models/{Guid.NewGuid()}/score", UriKind.Relative), Form(Midi(Tune(8)), "piece.mid"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Progress_OfAScoreAndOfAGeneration_IsFollowedByItsId_AndEndsFinished()
    {
        var scoreId = Guid.NewGuid();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/models/{fixture.ModelId}/score") { Content = Form(Midi(Tune(24)), "piece.mid") };
        request.Headers.Add("X-Progress-Id", scoreId.ToString());
        using HttpResponseMessage scored = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        JsonElement done = await ProgressAsync(scoreId);
        Assert.Equal("score", done.GetProperty("operation").GetString());
        Assert.True(done.GetProperty("finished").GetBoolean());
        Assert.Equal(1, done.GetProperty("fraction").GetDouble());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("secondsLeft").ValueKind);

        var generationId = Guid.NewGuid();
        using var generate = new HttpRequestMessage(HttpMethod.Post, "/api/generations") { Content = JsonContent.Create(new { modelId = fixture.ModelId, steps = 64, gibbsK = 5, seed = 3 }) };
        generate.Headers.Add("X-Progress-Id", generationId.ToString());
        using HttpResponseMessage generated = await _client.SendAsync(generate);
        Assert.Equal(HttpStatusCode.Created, generated.StatusCode);
        JsonElement generation = await ProgressAsync(generationId);
        Assert.Equal("generation", generation.GetProperty("operation").GetString());
        Assert.True(generation.GetProperty("finished").GetBoolean());

        using HttpResponseMessage unknown = await _client.GetAsync(new Uri($"/api/progress/{Guid.NewGuid()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private async Task<JsonElement> ProgressAsync(Guid id)
    {
        using HttpResponseMessage response = await _client.GetAsync(new Uri($"/api/progress/{id}", UriKind.Relative));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<JsonElement> ScoreOkAsync(Guid model, byte[] file, string? seed = null)
    {
        using HttpResponseMessage response = await _client.PostAsync(new Uri($"/api/models/{model}/score", UriKind.Relative), Form(file, "piece.mid", seed));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static MultipartFormDataContent Form(byte[] file, string name, string? seed = null)
    {
        var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/midi");
        form.Add(content, "file", name);
        if (seed is not null)
        {
            form.Add(new StringContent(seed), "seed");
        }
        return form;
    }

    private static double[] Doubles(JsonElement e, string name) => [.. e.GetProperty(name).EnumerateArray().Select(x => x.GetDouble())];

    private static EvaluationEntity Evaluation(Guid model, Guid corpus, string split, double logLikelihood, DateTimeOffset finished) => new()
    {
        Id = Guid.NewGuid(),
        ModelId = model,
        CorpusId = corpus,
        Split = split,
        State = "succeeded",
        LogLikelihood = logLikelihood,
        StandardError = 0.01,
        AisConverged = true,
        CreatedUtc = finished.AddMinutes(-5),
        FinishedUtc = finished,
    };

    private static EvaluationEntity Failed(EvaluationEntity e)
    {
        e.State = "failed";
        return e;
    }

    private sealed class Close(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
