using System.Buffers;
using System.Security.Cryptography;

namespace OpenDesign.Workflows.Domain;

/// <summary>Daemon-owned identifiers: a type prefix plus 96 random bits, never derived from caller input.</summary>
public static class Ids
{
    public static string NewProjectId() => New("proj_");
    public static string NewRunId() => New("run_");
    public static string NewMediaRequestId() => New("mreq_");

    private static string New(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>Ids we hand out are short and plain; anything else cannot exist and need not reach the database.</summary>
    public static bool LooksValid(string? id, string prefix) =>
        id is { Length: > 0 and <= 64 } && id.StartsWith(prefix, StringComparison.Ordinal)
        && id.AsSpan(prefix.Length).IndexOfAnyExcept(IdChars) < 0;

    private static readonly SearchValues<char> IdChars = SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-");
}
