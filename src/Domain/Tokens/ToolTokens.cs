using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.Tokens;

/// <summary>
/// Run-scoped tool tokens, durable where Open Design's are in-memory: only the SHA-256 of a token is stored, so a
/// restart keeps them valid and a database leak reveals none. Expiry slides on use while the run is live; ending
/// the run revokes them in the same transaction.
/// </summary>
public sealed class ToolTokens(Database database, SqliteWriter writer, OdOptions options, TimeProvider clock)
{
    private readonly ReadThroughCache<ToolTokenGrant> _grants = new();

    // Token -> its SHA-256, for granted tokens presented lately: an agent presents the same token on every call, and
    // hashing it was 3-4% of a request-only generate's CPU. A memo of a pure function, so forgetting is always correct
    // (a revoked token's grant is gone from the grant cache and the table, whatever this remembers); the raw tokens it
    // holds are the ones in flight in request headers anyway, and it is never stored or written anywhere.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);
    private const int MaxRememberedHashes = 4096;

    public const string Prefix = "odtt_";

    /// <summary>Mints a token inside the caller's unit of work (run creation), returning the raw token once.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Mint(WriteContext ctx, string runId, string projectId)
    {
        var token = Prefix + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var expires = now + options.ToolTokenTtl;
        var cmd = ctx.Command("""
            INSERT INTO tool_tokens (hash, run_id, project_id, endpoints, operations, issued_at, expires_at)
            VALUES ($hash, $run, $project, $endpoints, $operations, $issued, $expires)
            """)
            .With("$hash", Hash(token)).With("$run", runId).With("$project", projectId)
            .With("$endpoints", JsonSerializer.Serialize(ToolEndpoints.All, OdJsonContext.Default.IReadOnlyListString))
            .With("$operations", JsonSerializer.Serialize(ToolOperations.All, OdJsonContext.Default.IReadOnlyListString))
            .With("$issued", now.ToDb()).With("$expires", expires.ToDb());
        cmd.ExecuteNonQuery();
        return (token, expires);
    }

    /// <summary>Open Design's order: missing, invalid, expired, endpoint, operation. Success slides the expiry.</summary>
    public async Task<ToolTokenGrant> ValidateAsync(string? token, string endpoint, string operation)
    {
        if (string.IsNullOrEmpty(token)) throw Refused(DomainErrorKind.Unauthenticated, ErrorCodes.ToolTokenMissing, "tool token is required", endpoint, operation);
        var grant = Find(token) ?? throw Refused(DomainErrorKind.Unauthenticated, ErrorCodes.ToolTokenInvalid, "tool token is invalid or revoked", endpoint, operation);
        var now = clock.GetUtcNow();
        if (now >= grant.ExpiresAt) throw Refused(DomainErrorKind.Unauthenticated, ErrorCodes.ToolTokenExpired, "tool token expired", endpoint, operation);
        if (!grant.AllowedEndpoints.Contains(endpoint)) throw Refused(DomainErrorKind.Forbidden, ErrorCodes.ToolEndpointDenied, "tool endpoint is not allowed for this run", endpoint, operation);
        if (!grant.AllowedOperations.Contains(operation)) throw Refused(DomainErrorKind.Forbidden, ErrorCodes.ToolOperationDenied, "tool operation is not allowed for this run", endpoint, operation);

        var slid = now + options.ToolTokenTtl;
        if (slid - grant.ExpiresAt >= options.ToolTokenSlideGranularity)
        {
            // Revoked tokens are never revived: the update only touches a live row.
            var slidGrant = grant with { ExpiresAt = slid };
            await writer.ExecuteAsync(ctx =>
            {
                _grants.Changing();
                var cmd = ctx.Command("UPDATE tool_tokens SET expires_at = $expires WHERE hash = $hash AND revoked_at IS NULL AND expires_at < $expires")
                    .With("$expires", slid.ToDb()).With("$hash", grant.TokenHash);
                if (cmd.ExecuteNonQuery() == 1) ctx.OnCommitted(() => _grants.Refresh(grant.TokenHash, slidGrant));
            });
            grant = slidGrant;
        }
        return grant;
    }

    private static DomainException Refused(DomainErrorKind kind, string code, string message, string endpoint, string operation) =>
        new(kind, code, message, new Dictionary<string, object?> { ["endpoint"] = endpoint, ["operation"] = operation });

    public static bool LooksLikeToolToken(string credential) => credential.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Revokes every live token of a run inside the caller's unit of work (run end).</summary>
    public void RevokeRun(WriteContext ctx, string runId)
    {
        _grants.Changing();
        var cmd = ctx.Command("UPDATE tool_tokens SET revoked_at = $at WHERE run_id = $run AND revoked_at IS NULL")
            .With("$at", clock.GetUtcNow().ToDb()).With("$run", runId);
        cmd.ExecuteNonQuery();
        ctx.OnCommitted(() => _grants.RemoveWhere(g => g.RunId == runId));
    }

    private ToolTokenGrant? Find(string token)
    {
        if (!LooksLikeToolToken(token) || token.Length > 128) return null;
        if (_hashes.TryGetValue(token, out var known)) return _grants.Get(known, Load);
        var hash = Hash(token);
        var grant = _grants.Get(hash, Load);
        // Only tokens that were granted: random guesses must not crowd out the agents' own.
        if (grant is not null)
        {
            if (_hashes.Count >= MaxRememberedHashes) _hashes.Clear();
            _hashes[token] = hash;
        }
        return grant;
    }

    private ToolTokenGrant? Load(string hash)
    {
        using var connection = database.OpenRead();
        using var cmd = connection.Command("SELECT hash, run_id, project_id, endpoints, operations, issued_at, expires_at FROM tool_tokens WHERE hash = $hash AND revoked_at IS NULL")
            .With("$hash", hash);
        using var reader = cmd.ExecuteReader();
        if (!reader.Read()) return null;
        return new ToolTokenGrant(
            reader.GetString(0), reader.GetString(1), reader.GetString(2),
            JsonSerializer.Deserialize(reader.GetString(3), OdJsonContext.Default.IReadOnlyListString) ?? [],
            JsonSerializer.Deserialize(reader.GetString(4), OdJsonContext.Default.IReadOnlyListString) ?? [],
            reader.ReadTime(5), reader.ReadTime(6));
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
