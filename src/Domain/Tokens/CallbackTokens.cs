using System.Security.Cryptography;
using System.Text;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.Tokens;

/// <summary>
/// The bearer an external executor presents when it calls back about one request. Stored as a hash, valid for that
/// request only, and unable to change anything once the request has ended.
/// </summary>
public sealed class CallbackTokens(Database database, MediaRequestStore requests)
{
    public const string Prefix = "odcb_";

    public static bool LooksLikeCallbackToken(string credential) => credential.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Records the token's hash inside the request's creation unit of work.</summary>
    internal static void Register(WriteContext ctx, string requestId, string token)
    {
        var cmd = ctx.Command("INSERT INTO callback_tokens (hash, request_id) VALUES ($hash, $request)")
            .With("$hash", Hash(token)).With("$request", requestId);
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// Checks the token against the request it is used on. An ended request's token only authenticates, so that a
    /// repeated fulfil can still be answered idempotently; the caller refuses any change.
    /// </summary>
    public MediaRequest Validate(string token, string requestId)
    {
        string? owner = null;
        if (LooksLikeCallbackToken(token) && token.Length <= 128)
        {
            using var connection = database.OpenRead();
            using var cmd = connection.Command("SELECT request_id FROM callback_tokens WHERE hash = $hash").With("$hash", Hash(token));
            owner = cmd.ExecuteScalar() as string;
        }
        if (owner is null) throw new DomainException(DomainErrorKind.Unauthenticated, ErrorCodes.CallbackTokenInvalid, "callback token is invalid");
        if (owner != requestId)
        {
            throw new DomainException(DomainErrorKind.Forbidden, ErrorCodes.CallbackTokenDenied, "the callback token belongs to a different media request");
        }
        return requests.Get(requestId);
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
