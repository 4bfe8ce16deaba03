namespace RnnRbm.Api.Hosting;

/// <summary>Reads a request stream into memory only up to a cap: a body that is too long is never held whole.</summary>
internal static class CappedRead
{
    /// <summary>The whole stream, or null when it holds more than <paramref name="maxBytes"/> bytes (reading stops there).</summary>
    public static async Task<byte[]?> ReadAtMostAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
