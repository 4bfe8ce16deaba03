using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Client.Tests;

/// <summary>What every contract test uses: the app with or without an API key, the demo files, a tiny training, MIDI.</summary>
internal static class ContractKit
{
    /// <summary>The key of the servers that have one.</summary>
    public const string ApiKey = "sesame";

    /// <summary>Steps asked of every generation; the MIDI read back must have as many.</summary>
    public const int GeneratedSteps = 48;

    /// <summary>The first six demo MIDI files (datasets/demo), in name order: a corpus a tiny training reads in a moment.</summary>
    public static IReadOnlyList<string> DemoFiles { get; } =
        [.. Directory.GetFiles(TestEnvironment.RepositoryPath("datasets", "demo"), "*.mid").Order(StringComparer.Ordinal).Take(6)];

    /// <summary>The service in process on a fresh database (no demo models), with <paramref name="apiKey"/> when given.</summary>
    public static RnnRbmAppFactory App(string? apiKey) =>
        new(apiKey is null ? null : new Dictionary<string, string?> { ["RnnRbm:ApiKey"] = apiKey });

    /// <summary>Reads a generated piece as the service wrote it (two steps per quarter, the 88 keys); throws when it is not MIDI.</summary>
    public static PianoRoll ReadMidi(byte[] bytes) =>
        MidiReader.Read(bytes, new MidiReadOptions { Grid = new TimeGrid.Beats(2), Range = new PitchRange(21, 109) }).Roll;

    public static bool IsFinished(string? state) => state is "succeeded" or "failed" or "cancelled";

    /// <summary>The stream is a PNG image that decodes to a picture of some size.</summary>
    public static void AssertPng(Stream png)
    {
        using SkiaSharp.SKBitmap image = SkiaSharp.SKBitmap.Decode(png) ?? throw new Xunit.Sdk.XunitException("The PNG did not decode.");
        Assert.True(image.Width > 0 && image.Height > 0, $"The PNG is {image.Width}×{image.Height}.");
    }

    /// <summary>The bound of a training's wait: it only stops a hang (a tiny training takes seconds).</summary>
    public const double TrainingTimeoutSeconds = 180;
}
