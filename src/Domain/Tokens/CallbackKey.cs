using System.Security.Cryptography;
using System.Text;

namespace OpenDesign.Workflows.Domain.Tokens;

/// <summary>
/// The service's secret for callback tokens, kept in the data root. A callback token is an HMAC of its request id, so
/// the submit activity can rebuild it on any attempt without the raw token ever being stored or put in workflow history.
/// </summary>
public sealed class CallbackKey
{
    private readonly byte[] _key;

    public CallbackKey(OdOptions options)
    {
        var path = Path.Combine(options.DataDir, "callback.key");
        if (!File.Exists(path))
        {
            var fresh = RandomNumberGenerator.GetBytes(32);
            var temp = path + "." + Guid.NewGuid().ToString("N");
            File.WriteAllBytes(temp, fresh);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
                File.Delete(temp);
            }
        }
        _key = File.ReadAllBytes(path);
    }

    public string TokenFor(string requestId) =>
        CallbackTokens.Prefix + System.Buffers.Text.Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(requestId)));
}
