using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RnnRbm.Core.Model;

/// <summary>
/// The model file (<c>.rnnrbm</c>), version 2, little-endian:
/// <code>
/// magic       8 bytes  "RNNRBM\n\0"
/// version     int32    2 (1: the same without u0, read as u0 = 0)
/// manifestLen int32    bytes of the manifest
/// manifest    UTF-8 JSON (ModelManifest, camelCase; readable with `head -c`)
/// count       int64    float32 values that follow
/// weights     float32 × count: the tensors of RnnRbmParameters.Tensors, in that order, each row-major
///             (version 1 stops at bu: it predates the learned initial state u0); then, in a checkpoint, the
///             momentum velocity's tensors and the best validated epoch's parameters in the same order, when its
///             manifest's checkpoint says it holds them
/// sha256      32 bytes over every byte before it
/// </code>
/// A file that is truncated, corrupt, of another version or inconsistent with itself is refused with
/// <see cref="InvalidModelFileException"/> naming the reason.
/// </summary>
public static class ModelFile
{
    /// <summary>The version this build writes; it also reads <see cref="OldestVersion"/> and up.</summary>
    public const int CurrentVersion = 2;

    /// <summary>The oldest version this build reads: version 1 files hold no u0 and read as u0 = 0.</summary>
    public const int OldestVersion = 1;

    /// <summary>Largest file accepted (the largest shape allowed needs about 84 MB).</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    private const int MaxManifestBytes = 16 * 1024 * 1024;
    private static readonly byte[] Magic = "RNNRBM\n\0"u8.ToArray();
    private const int HeaderBytes = 8 + 4 + 4;
    private const int ChecksumBytes = 32;

    /// <summary>JSON settings of the manifest (also for APIs that show it).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serialises <paramref name="model"/>.</summary>
    public static byte[] Write(RnnRbmModel model)
    {
        byte[] manifest = JsonSerializer.SerializeToUtf8Bytes(model.Manifest, JsonOptions);
        IReadOnlyList<NamedTensor> tensors =
            [.. model.Parameters.Tensors, .. model.Velocity?.Tensors ?? [], .. model.Best?.Tensors ?? [], .. model.Average?.Tensors ?? []];
        long count = tensors.Sum(t => (long)t.Values.Length);
        long length = HeaderBytes + manifest.Length + 8 + (count * 4) + ChecksumBytes;
        var bytes = new byte[length];
        Span<byte> span = bytes;
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], CurrentVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], manifest.Length);
        manifest.CopyTo(span[HeaderBytes..]);
        int offset = HeaderBytes + manifest.Length;
        BinaryPrimitives.WriteInt64LittleEndian(span[offset..], count);
        offset += 8;
        foreach (NamedTensor tensor in tensors)
        {
            foreach (float value in tensor.Values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[offset..], value);
                offset += 4;
            }
        }
        SHA256.HashData(span[..offset], span[offset..]);
        return bytes;
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    public static void Save(RnnRbmModel model, string path)
    {
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(temporary, Write(model));
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Reads a model file from <paramref name="path"/>.</summary>
    /// <exception cref="InvalidModelFileException">The file is not a valid model file.</exception>
    public static RnnRbmModel Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"No model file at {path}.", path);
        }
        if (info.Length > MaxBytes)
        {
            throw new InvalidModelFileException($"the file is {info.Length} bytes; model files are at most {MaxBytes}.");
        }
        return Read(File.ReadAllBytes(path));
    }

    /// <summary>Reads a model file from <paramref name="stream"/>, at most <see cref="MaxBytes"/> bytes.</summary>
    public static RnnRbmModel Read(Stream stream)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw new InvalidModelFileException($"the file is larger than {MaxBytes} bytes.");
            }
            buffer.Write(chunk, 0, read);
        }
        return Read(buffer.ToArray());
    }

    /// <summary>Parses and checks a model file's bytes.</summary>
    /// <exception cref="InvalidModelFileException">The bytes are not a valid model file; the message says why.</exception>
    public static RnnRbmModel Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderBytes || !bytes[..8].SequenceEqual(Magic))
        {
            throw new InvalidModelFileException("it does not start with the RnnRbm model signature (is it a model file?).");
        }
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (version < OldestVersion || version > CurrentVersion)
        {
            throw new InvalidModelFileException($"format version {version} is not supported; this build reads versions {OldestVersion} to {CurrentVersion}.");
        }
        int manifestLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        if (manifestLength <= 0 || manifestLength > MaxManifestBytes || HeaderBytes + (long)manifestLength + 8 + ChecksumBytes > bytes.Length)
        {
            throw new InvalidModelFileException($"the manifest length {manifestLength} does not fit the file's {bytes.Length} bytes (truncated?).");
        }
        int payloadEnd = bytes.Length - ChecksumBytes;
        Span<byte> digest = stackalloc byte[ChecksumBytes];
        SHA256.HashData(bytes[..payloadEnd], digest);
        if (!digest.SequenceEqual(bytes[payloadEnd..]))
        {
            throw new InvalidModelFileException("the checksum does not match: the file is corrupt or truncated.");
        }

        ModelManifest manifest = ParseManifest(bytes.Slice(HeaderBytes, manifestLength));
        ModelShape shape;
        try
        {
            shape = manifest.Shape.ToShape();
            if (manifest.PitchRange.ToRange().Count != shape.Visible)
            {
                throw new InvalidModelFileException(
                    $"the pitch range {manifest.PitchRange.ToRange()} has {manifest.PitchRange.ToRange().Count} pitches but the model {shape.Visible} visible units.");
            }
            _ = manifest.TimeGrid.ToGrid();
            manifest.Training.ToOptions().Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new InvalidModelFileException($"the manifest is inconsistent: {ex.Message}", ex);
        }

        int offset = HeaderBytes + manifestLength;
        long count = BinaryPrimitives.ReadInt64LittleEndian(bytes[offset..]);
        offset += 8;
        bool hasVelocity = manifest.Checkpoint?.Velocity ?? false;
        bool hasBest = manifest.Checkpoint?.Best ?? false;
        bool hasAverage = manifest.Checkpoint?.Average ?? false;
        bool hasU0 = version >= 2;
        if (!hasU0 && shape.Kind != RecurrenceKind.Tanh)
        {
            throw new InvalidModelFileException("a version 1 file cannot hold a gated recurrence.");
        }
        long expected = (hasU0 ? shape.ParameterCount : shape.ParameterCountWithoutU0) * (1 + (hasVelocity ? 1 : 0) + (hasBest ? 1 : 0) + (hasAverage ? 1 : 0));
        if (count != expected || offset + (count * 4) != payloadEnd)
        {
            throw new InvalidModelFileException(
                $"it holds {count} weights in {payloadEnd - offset} bytes; a {shape.Visible}×{shape.Hidden}×{shape.Recurrent} model" +
                (hasVelocity ? " with its momentum velocity" : "") + (hasBest ? " and its best epoch's parameters" : "") + (hasAverage ? " and its moving average" : "") + $" has {expected}.");
        }
        var parameters = new RnnRbmParameters(shape);
        RnnRbmParameters? velocity = hasVelocity ? new RnnRbmParameters(shape) : null;
        RnnRbmParameters? best = hasBest ? new RnnRbmParameters(shape) : null;
        RnnRbmParameters? average = hasAverage ? new RnnRbmParameters(shape) : null;
        IEnumerable<NamedTensor> stored = [.. parameters.Tensors, .. velocity?.Tensors ?? [], .. best?.Tensors ?? [], .. average?.Tensors ?? []];
        foreach (NamedTensor tensor in stored.Where(t => hasU0 || t.Name != "u0"))
        {
            ReadOnlySpan<byte> source = bytes.Slice(offset, tensor.Values.Length * 4);
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.Cast<byte, float>(source).CopyTo(tensor.Values);
            }
            else
            {
                for (int i = 0; i < tensor.Values.Length; i++)
                {
                    tensor.Values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
                }
            }
            offset += source.Length;
        }
        if (!parameters.AllFinite() || velocity?.AllFinite() == false || best?.AllFinite() == false || average?.AllFinite() == false)
        {
            throw new InvalidModelFileException("it holds non-finite weights (NaN or infinity).");
        }
        return new RnnRbmModel(parameters, manifest, velocity, best, average);
    }

    private static ModelManifest ParseManifest(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelManifest>(json, JsonOptions)
                ?? throw new InvalidModelFileException("the manifest is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidModelFileException($"the manifest is not valid JSON for a model: {ex.Message}", ex);
        }
    }
}

/// <summary>A model file was refused; <see cref="Exception.Message"/> reads "invalid model file: reason".</summary>
public sealed class InvalidModelFileException : Exception
{
    public InvalidModelFileException()
    {
    }

    public InvalidModelFileException(string reason) : base("invalid model file: " + reason)
    {
        Reason = reason;
    }

    public InvalidModelFileException(string reason, Exception inner) : base("invalid model file: " + reason, inner)
    {
        Reason = reason;
    }

    /// <summary>Why, in words.</summary>
    public string Reason { get; } = "unknown";
}
