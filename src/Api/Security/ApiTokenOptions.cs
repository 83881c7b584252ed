using System.Security.Cryptography;
using System.Text;

namespace OpenDesign.Workflows.Api.Security;

/// <summary>OD_API_TOKEN: the bearer non-loopback callers must present for admin endpoints.</summary>
public sealed class ApiTokenOptions(string? token)
{
    private readonly byte[]? _token = string.IsNullOrEmpty(token) ? null : Encoding.UTF8.GetBytes(token);

    public bool Matches(string candidate) =>
        _token is not null && CryptographicOperations.FixedTimeEquals(_token, Encoding.UTF8.GetBytes(candidate));
}
