using System.Security.Cryptography;
using System.Text;

namespace OpenDesign.Workflows.Cli.Tests.Enabled;

/// <summary>Small media files the fake OpenAI serves, each unique to its test, and what the tests compute from them.</summary>
internal static class Media
{
    /// <summary>The PNG signature then bytes unique to <paramref name="tag"/>.</summary>
    public static byte[] Png(string tag) => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Encoding.UTF8.GetBytes(tag + Guid.NewGuid().ToString("N"))];

    /// <summary>An ISO BMFF <c>ftyp</c> box (as an MP4 starts) then bytes unique to <paramref name="tag"/>.</summary>
    public static byte[] Mp4(string tag) => [0, 0, 0, 0x18, .. "ftypmp42"u8, 0, 0, 0, 0, .. "mp42isom"u8, .. Encoding.UTF8.GetBytes(tag + Guid.NewGuid().ToString("N"))];

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
