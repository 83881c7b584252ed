using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Storage;
using OpenDesign.Workflows.Domain.Tests.Support;
using OpenDesign.Workflows.Domain.Tokens;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Durable, sliding, revocable run tokens over a real database and a manual clock.</summary>
public sealed partial class ToolTokensTests : IAsyncLifetime
{
    private static readonly string Endpoint = ToolEndpoints.MediaGenerate;
    private const string Operation = ToolOperations.MediaGenerate;
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(15);

    private readonly DomainHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task A_token_is_odtt_plus_43_base64url_characters_and_unique()
    {
        var (_, a) = await _h.NewRunAsync();
        var (_, b) = await _h.NewRunAsync();

        Assert.Matches(TokenFormat(), a.ToolToken);
        Assert.Equal(48, a.ToolToken.Length);
        Assert.NotEqual(a.ToolToken, b.ToolToken);
        Assert.Equal(ManualClock.Start + Ttl, a.ToolTokenExpiresAt);
    }

    [Fact]
    public async Task A_valid_token_grants_its_own_run_and_project_with_every_agent_operation_but_no_fulfil()
    {
        var (project, run) = await _h.NewRunAsync();

        var grant = await _h.Tokens.ValidateAsync(run.ToolToken, Endpoint, Operation);

        Assert.Equal((run.RunId, project.Id), (grant.RunId, grant.ProjectId));
        Assert.Equal(ToolEndpoints.All, grant.AllowedEndpoints);
        Assert.Equal(ToolOperations.All, grant.AllowedOperations);
        Assert.DoesNotContain(grant.AllowedOperations, o => o.Contains("fulfil", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(ManualClock.Start, grant.IssuedAt);
    }

    public static TheoryData<string, string> AllowedPairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in ToolEndpoints.All)
        {
            foreach (var operation in ToolOperations.All) data.Add(endpoint, operation);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllowedPairs))]
    public async Task Every_listed_endpoint_and_operation_is_granted(string endpoint, string operation)
    {
        var (_, run) = await _h.NewRunAsync();
        var grant = await _h.Tokens.ValidateAsync(run.ToolToken, endpoint, operation);
        Assert.Equal(run.RunId, grant.RunId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task No_token_is_401_missing(string? token) =>
        await ExpectAsync(token, "/not/an/endpoint", "not:an:operation", 401, ErrorCodes.ToolTokenMissing, "tool token is required");

    [Theory]
    [InlineData("odtt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-token")]
    [InlineData("Bearer odtt_x")]
    public async Task An_unknown_token_is_401_invalid_before_endpoint_and_operation_are_looked_at(string token) =>
        await ExpectAsync(token, "/not/an/endpoint", "not:an:operation", 401, ErrorCodes.ToolTokenInvalid, "tool token is invalid or revoked");

    [Fact]
    public async Task An_overlong_token_is_401_invalid()
    {
        var (_, run) = await _h.NewRunAsync();
        await ExpectAsync(run.ToolToken + new string('A', 100), Endpoint, Operation, 401, ErrorCodes.ToolTokenInvalid, "tool token is invalid or revoked");
    }

    [Fact]
    public async Task A_token_differing_by_one_character_is_invalid()
    {
        var (_, run) = await _h.NewRunAsync();
        var last = run.ToolToken[^1];
        var altered = run.ToolToken[..^1] + (last == 'A' ? 'B' : 'A');
        await ExpectAsync(altered, Endpoint, Operation, 401, ErrorCodes.ToolTokenInvalid);
    }

    [Fact]
    public async Task An_expired_token_is_401_expired_before_endpoint_and_operation_are_looked_at()
    {
        var (_, run) = await _h.NewRunAsync();
        _h.Clock.Advance(Ttl + TimeSpan.FromHours(1));
        await ExpectAsync(run.ToolToken, "/not/an/endpoint", "not:an:operation", 401, ErrorCodes.ToolTokenExpired, "tool token expired");
        // and stays expired: a refused call never slides it back to life
        await ExpectAsync(run.ToolToken, Endpoint, Operation, 401, ErrorCodes.ToolTokenExpired);
    }

    [Fact]
    public async Task A_denied_endpoint_is_403_before_the_operation_is_looked_at()
    {
        var (_, run) = await _h.NewRunAsync();
        await ExpectAsync(run.ToolToken, "/api/runs/:id/cancel", "not:an:operation", 403, ErrorCodes.ToolEndpointDenied,
            "tool endpoint is not allowed for this run");
        // endpoint keys are exact strings, as in Open Design
        await ExpectAsync(run.ToolToken, "/api/tools/media/generate/", Operation, 403, ErrorCodes.ToolEndpointDenied);
    }

    [Theory]
    [InlineData("media:requests:fulfill")]
    [InlineData("media:fulfill")]
    [InlineData("MEDIA:GENERATE")]
    [InlineData("")]
    public async Task A_denied_operation_is_403(string operation)
    {
        var (_, run) = await _h.NewRunAsync();
        await ExpectAsync(run.ToolToken, Endpoint, operation, 403, ErrorCodes.ToolOperationDenied, "tool operation is not allowed for this run");
    }

    [Fact]
    public async Task It_expires_at_exactly_the_ttl()
    {
        var (_, early) = await _h.NewRunAsync();
        var (_, onTime) = await _h.NewRunAsync();
        _h.Clock.Advance(Ttl - TimeSpan.FromTicks(1));

        await _h.Tokens.ValidateAsync(early.ToolToken, Endpoint, Operation);

        _h.Clock.Advance(TimeSpan.FromTicks(1));
        await ExpectAsync(onTime.ToolToken, Endpoint, Operation, 401, ErrorCodes.ToolTokenExpired);
    }

    [Fact]
    public async Task The_ttl_comes_from_the_options()
    {
        await using var h = new DomainHarness(o => o.ToolTokenTtl = TimeSpan.FromMinutes(2));
        var (_, run) = await h.NewRunAsync();
        Assert.Equal(ManualClock.Start + TimeSpan.FromMinutes(2), run.ToolTokenExpiresAt);

        h.Clock.Advance(TimeSpan.FromMinutes(2));
        var e = await Assert.ThrowsAsync<DomainException>(() => h.Tokens.ValidateAsync(run.ToolToken, Endpoint, Operation));
        Assert.Equal(ErrorCodes.ToolTokenExpired, e.Code);
    }

    [Fact]
    public async Task Use_slides_the_expiry_forward_and_the_slide_is_stored()
    {
        var (_, run) = await _h.NewRunAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(10));

        var grant = await _h.Tokens.ValidateAsync(run.ToolToken, Endpoint, Operation);
        Assert.Equal(ManualClock.Start + TimeSpan.FromMinutes(25), grant.ExpiresAt);
        Assert.Equal(ManualClock.Start + TimeSpan.FromMinutes(25), StoredExpiry(run.ToolToken));

        // After a restart (new database objects over the same file) the slid expiry still holds...
        await _h.RestartAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(14));
        var again = await _h.Tokens.ValidateAsync(run.ToolToken, Endpoint, Operation);
        Assert.Equal(ManualClock.Start + TimeSpan.FromMinutes(39), again.ExpiresAt);

        // ...and a token left unused for a whole TTL expires.
        _h.Clock.Advance(Ttl);
        await ExpectAsync(run.ToolToken, Endpoint, Operation, 401, ErrorCodes.ToolTokenExpired);
    }

    [Fact]
    public async Task Without_use_the_original_expiry_stands()
    {
        var (_, used) = await _h.NewRunAsync();
        var (_, unused) = await _h.NewRunAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(14));
        await _h.Tokens.ValidateAsync(used.ToolToken, Endpoint, Operation);

        _h.Clock.Advance(TimeSpan.FromMinutes(2));

        await _h.Tokens.ValidateAsync(used.ToolToken, Endpoint, Operation);
        await ExpectAsync(unused.ToolToken, Endpoint, Operation, 401, ErrorCodes.ToolTokenExpired);
    }

    [Fact]
    public async Task Uses_closer_together_than_the_granularity_do_not_rewrite_the_expiry()
    {
        var (_, run) = await _h.NewRunAsync();
        _h.Clock.Advance(TimeSpan.FromSeconds(30));

        var grant = await _h.Tokens.ValidateAsync(run.ToolToken, Endpoint, Operation);

        Assert.Equal(ManualClock.Start + Ttl, grant.ExpiresAt);
        Assert.Equal(ManualClock.Start + Ttl, StoredExpiry(run.ToolToken));
    }

    [Fact]
    public async Task A_refused_use_does_not_slide()
    {
        var (_, run) = await _h.NewRunAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(10));
        await Assert.ThrowsAsync<DomainException>(() => _h.Tokens.ValidateAsync(run.ToolToken, "/elsewhere", Operation));
        await Assert.ThrowsAsync<DomainException>(() => _h.Tokens.ValidateAsync(run.ToolToken, Endpoint, "elsewhere"));
        Assert.Equal(ManualClock.Start + Ttl, StoredExpiry(run.ToolToken));
    }

    [Theory]
    [InlineData(RunStatuses.Succeeded)]
    [InlineData(RunStatuses.Failed)]
    [InlineData(RunStatuses.Canceled)]
    public async Task Ending_the_run_revokes_its_token_and_only_its_token(string status)
    {
        var (_, ended) = await _h.NewRunAsync();
        var (_, other) = await _h.NewRunAsync();
        await _h.Tokens.ValidateAsync(ended.ToolToken, Endpoint, Operation);

        await _h.RunService.EndAsync(ended.RunId, status);

        await ExpectAsync(ended.ToolToken, Endpoint, Operation, 401, ErrorCodes.ToolTokenInvalid, "tool token is invalid or revoked");
        await _h.Tokens.ValidateAsync(other.ToolToken, Endpoint, Operation);

        await _h.RestartAsync();
        await ExpectAsync(ended.ToolToken, Endpoint, Operation, 401, ErrorCodes.ToolTokenInvalid);
    }

    [Fact]
    public async Task A_token_survives_a_restart()
    {
        var (_, run) = await _h.NewRunAsync();
        await _h.RestartAsync();
        var grant = await _h.Tokens.ValidateAsync(run.ToolToken, Endpoint, Operation);
        Assert.Equal(run.RunId, grant.RunId);
    }

    [Fact]
    public async Task Only_the_sha256_of_a_token_is_stored()
    {
        var (_, run) = await _h.NewRunAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(5));
        await _h.Tokens.ValidateAsync(run.ToolToken, Endpoint, Operation); // a slide writes the row again

        var expectedHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(run.ToolToken)));
        using (var connection = _h.Database.OpenRead())
        using (var cmd = connection.Command("SELECT hash FROM tool_tokens WHERE run_id = $run").With("$run", run.RunId))
        {
            Assert.Equal(expectedHash, cmd.ExecuteScalar());
        }

        var secret = run.ToolToken[ToolTokens.Prefix.Length..];
        foreach (var file in Directory.GetFiles(_h.Options.DataDir, "app.sqlite*"))
        {
            var text = Encoding.Latin1.GetString(ReadShared(file));
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[..20], text, StringComparison.Ordinal);
        }
        Assert.Contains(Directory.GetFiles(_h.Options.DataDir, "app.sqlite*"), f => Encoding.Latin1.GetString(ReadShared(f)).Contains(expectedHash, StringComparison.Ordinal));
    }

    private DateTimeOffset StoredExpiry(string token)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        using var connection = _h.Database.OpenRead();
        using var cmd = connection.Command("SELECT expires_at FROM tool_tokens WHERE hash = $hash").With("$hash", hash);
        using var reader = cmd.ExecuteReader();
        Assert.True(reader.Read());
        return reader.ReadTime(0);
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private async Task ExpectAsync(string? token, string endpoint, string operation, int status, string code, string? message = null)
    {
        var e = await Refusal.ExpectAsync(() => _h.Tokens.ValidateAsync(token, endpoint, operation), status, code, message);
        Assert.NotNull(e.Details);
        Assert.Equal(2, e.Details.Count);
        Assert.Equal(endpoint, e.Details["endpoint"]);
        Assert.Equal(operation, e.Details["operation"]);
    }

    [GeneratedRegex("^odtt_[A-Za-z0-9_-]{43}$")]
    private static partial Regex TokenFormat();
}
