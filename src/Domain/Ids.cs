using System.Buffers;
using System.Security.Cryptography;

namespace OpenDesign.Workflows.Domain;

/// <summary>
/// Daemon-owned identifiers, never derived from caller input: a type prefix, 40 bits of milliseconds since 2025 and 56
/// random bits, as 24 hex digits. Leading with time keeps new ids at the right edge of their unique index, so a batch
/// of inserts dirties a few index pages instead of one random page per row (which the WAL writes out whole).
/// </summary>
public static class Ids
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string NewProjectId() => New("proj_");
    public static string NewRunId() => New("run_");
    public static string NewMediaRequestId() => New("mreq_");
    public static string NewMediaTaskId() => New("mtask_");

    private static string New(string prefix)
    {
        Span<byte> bytes = stackalloc byte[12];
        var millis = (ulong)(DateTimeOffset.UtcNow - Epoch).TotalMilliseconds;
        for (var i = 4; i >= 0; i--)
        {
            bytes[i] = (byte)millis;
            millis >>= 8;
        }
        TakeRandom(bytes[5..]);
        return prefix + Convert.ToHexStringLower(bytes);
    }

    private const int RandomBlockBytes = 7 * 64;

    [ThreadStatic] private static byte[]? t_randomBlock;
    [ThreadStatic] private static int t_randomLeft;

    /// <summary>
    /// The same CSPRNG bytes, fetched 64 ids at a time: each call into it went through OpenSSL's parameter and error
    /// plumbing, about 2 µs per request on the request-only path. Each thread keeps its own block, and bytes handed out
    /// are wiped from it, so none is ever used twice or left behind.
    /// </summary>
    private static void TakeRandom(Span<byte> destination)
    {
        var block = t_randomBlock ??= new byte[RandomBlockBytes];
        if (t_randomLeft < destination.Length)
        {
            RandomNumberGenerator.Fill(block);
            t_randomLeft = block.Length;
        }
        var taken = block.AsSpan(block.Length - t_randomLeft, destination.Length);
        taken.CopyTo(destination);
        taken.Clear();
        t_randomLeft -= destination.Length;
    }

    /// <summary>Ids we hand out are short and plain; anything else cannot exist and need not reach the database.</summary>
    public static bool LooksValid(string? id, string prefix) =>
        id is { Length: > 0 and <= 64 } && id.StartsWith(prefix, StringComparison.Ordinal)
        && id.AsSpan(prefix.Length).IndexOfAnyExcept(IdChars) < 0;

    private static readonly SearchValues<char> IdChars = SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-");
}
