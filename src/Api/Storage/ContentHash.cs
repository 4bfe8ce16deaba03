using System.Security.Cryptography;

namespace RnnRbm.Api.Storage;

/// <summary>
/// The SHA-256 of stored bytes (a model file, an accepted MIDI file), as lowercase hex: what "the same content" means
/// when an import or an upload is compared with what the service already holds (issue 15's duplicate warnings).
/// Rows stored before the column existed have none and are not compared.
/// </summary>
public static class ContentHash
{
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
