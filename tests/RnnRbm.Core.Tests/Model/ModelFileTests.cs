using System.Buffers.Binary;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Model;

public class ModelFileTests
{
    internal static RnnRbmModel SmallModel(ulong seed = 1)
    {
        var range = new PitchRange(60, 72);
        var shape = new ModelShape(range.Count, 8, 6);
        var manifest = new ModelManifest
        {
            Shape = ShapeInfo.From(shape),
            PitchRange = PitchRangeInfo.From(range),
            TimeGrid = TimeGridInfo.From(new TimeGrid.Beats(2)),
            Training = TrainingInfo.From(new TrainingOptions { Seed = seed, Epochs = 3 }, 2),
            Corpus = new CorpusInfo("unit", 3, 120),
            History = [new EpochRecord(1, -9.5, -9.9, 0.1, 1200), new EpochRecord(2, -8.25, null, 0.1, 1300)],
            Numerics = new NumericsInfo("simd", "test"),
            CreatedUtc = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero),
        };
        return new RnnRbmModel(RnnRbmTrainer.InitialParameters(shape, seed), manifest);
    }

    [Fact]
    public void WriteThenRead_GivesTheSameModel()
    {
        RnnRbmModel model = SmallModel();
        RnnRbmModel read = ModelFile.Read(ModelFile.Write(model));
        Assert.Equal(TrainerTests.Flatten(model.Parameters), TrainerTests.Flatten(read.Parameters));
        Assert.Equal(model.Manifest.History, read.Manifest.History);
        Assert.Equal(model.Manifest.Training, read.Manifest.Training);
        Assert.Equal(model.Range, read.Range);
        Assert.Equal(model.Grid, read.Grid);
        Assert.Equal(model.Manifest.Corpus, read.Manifest.Corpus);
    }

    [Fact]
    public void Read_RefusesAFlippedByte_ByItsChecksum()
    {
        byte[] bytes = ModelFile.Write(SmallModel());
        bytes[bytes.Length - 100] ^= 0x01;
        var ex = Assert.Throws<InvalidModelFileException>(() => ModelFile.Read(bytes));
        Assert.Contains("checksum", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RefusesATruncatedFile()
    {
        byte[] bytes = ModelFile.Write(SmallModel());
        var ex = Assert.Throws<InvalidModelFileException>(() => ModelFile.Read(bytes.AsSpan(0, bytes.Length / 2)));
        Assert.StartsWith("invalid model file:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RefusesAnUnknownVersion_NamingIt()
    {
        byte[] bytes = ModelFile.Write(SmallModel());
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 7);
        var ex = Assert.Throws<InvalidModelFileException>(() => ModelFile.Read(bytes));
        Assert.Contains("version 7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RefusesSomethingElse()
    {
        var ex = Assert.Throws<InvalidModelFileException>(() => ModelFile.Read("MThd\0\0\0\u0006 not a model"u8));
        Assert.Contains("signature", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RefusesAManifestThatDisagreesWithItsWeights()
    {
        RnnRbmModel model = SmallModel();
        var bigger = new RnnRbmModel(new RnnRbmParameters(new ModelShape(12, 9, 6)), model.Manifest with { Shape = new ShapeInfo(12, 9, 6) });
        byte[] good = ModelFile.Write(bigger);
        // Rewrite the manifest to claim H = 8 while 9-unit weights follow; fix the checksum so only the consistency check can catch it.
        byte[] forged = Forge(good, json => json.Replace("\"hidden\": 9", "\"hidden\": 8", StringComparison.Ordinal));
        var ex = Assert.Throws<InvalidModelFileException>(() => ModelFile.Read(forged));
        Assert.Contains("weights", ex.Message, StringComparison.Ordinal);
    }

    private static byte[] Forge(byte[] file, Func<string, string> edit)
    {
        int length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(12));
        string json = System.Text.Encoding.UTF8.GetString(file, 16, length);
        byte[] manifest = System.Text.Encoding.UTF8.GetBytes(edit(json));
        Assert.NotEqual(json, edit(json));
        byte[] rest = file[(16 + length)..^32];
        byte[] body = [.. file[..12], 0, 0, 0, 0, .. manifest, .. rest];
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(12), manifest.Length);
        return [.. body, .. System.Security.Cryptography.SHA256.HashData(body)];
    }
}
