using OpenDesign.Workflows.Activities.Providers;
using OpenDesign.Workflows.Contracts;
using WireMock.RequestBuilders;
using static OpenDesign.Workflows.Activities.Tests.Support.ActivityHarness;

namespace OpenDesign.Workflows.Activities.Tests.Providers;

/// <summary>The key is sent to the provider and nowhere else: no exception message, no log line, no formatted credential.</summary>
public sealed class ProviderSecrecyTests : IDisposable
{
    private readonly ProviderHarness _h = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task The_keys_appear_in_no_failure_and_no_log_line_even_when_the_provider_echoes_them()
    {
        // A provider (or a gateway) that quotes the key back in its error, as some do for "invalid key" answers.
        _h.Server.Given(Request.Create().WithPath("/v1/images/generations").UsingPost())
            .RespondWith(Json(401, $$$"""{"error":{"message":"Incorrect API key provided: {{{ProviderHarness.OpenAiKey}}}."}}"""));
        _h.Server.Given(Request.Create().WithPath("/v1/audio/speech").UsingPost())
            .RespondWith(Json(500, $$"""{"error":"upstream failed for key {{ProviderHarness.OpenAiKey}}"}"""));
        _h.Server.Given(Request.Create().WithPath("/v1/videos/video_x").UsingGet())
            .RespondWith(Json(200, $$$"""{"id":"video_x","status":"failed","error":{"message":"bad key {{{ProviderHarness.OpenAiKey}}}"}}"""));
        _h.Server.Given(Request.Create().WithPath("/v1/predictions/pred_x").UsingGet())
            .RespondWith(Json(200, $$"""{"id":"pred_x","status":"failed","error":"token {{ProviderHarness.ReplicateToken}} rejected"}"""));
        _h.Server.Given(Request.Create().WithPath("/v1/predictions/pred_y/cancel").UsingPost())
            .RespondWith(Json(429, $$"""{"detail":"slow down {{ProviderHarness.ReplicateToken}}"}"""));

        var failures = new List<ProviderException>
        {
            await Assert.ThrowsAsync<ProviderException>(() => _h.OpenAi.StartAsync(new ProviderJob("t", MediaSurfaces.Image, "gpt-image-2", "x"), new MemoryStream(), Ct)),
            await Assert.ThrowsAsync<ProviderException>(() => _h.OpenAi.StartAsync(new ProviderJob("t", MediaSurfaces.Audio, "gpt-4o-mini-tts", "x"), new MemoryStream(), Ct)),
            await Assert.ThrowsAsync<ProviderException>(() => _h.OpenAi.PollAsync(new ProviderJob("t", MediaSurfaces.Video, "sora-2", "x"), "video_x", new MemoryStream(), Ct)),
            await Assert.ThrowsAsync<ProviderException>(() => _h.Replicate.PollAsync(new ProviderJob("t", MediaSurfaces.Image, "sd-3.5", "x"), "pred_x", new MemoryStream(), Ct)),
            await Assert.ThrowsAsync<ProviderException>(() => _h.Replicate.CancelAsync("pred_y", Ct)),
        };

        // Every call did reach the provider with the key, so its absence below is not for want of using it.
        Assert.Equal(5, _h.AllCalls().Count);
        Assert.Equal("openai refused the request (401): Incorrect API key provided: [redacted].", failures[0].Message);
        Assert.Equal("replicate prediction pred_x failed: token [redacted] rejected", failures[3].Message);
        var texts = failures.Select(f => f.ToString()).Concat(_h.Logs.Lines).ToList();
        Assert.Contains(_h.Logs.Lines, l => l.Contains("Starting openai image job", StringComparison.Ordinal));
        foreach (var secret in new[] { ProviderHarness.OpenAiKey, ProviderHarness.ReplicateToken })
        {
            Assert.DoesNotContain(texts, t => t.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_formatted_credential_shows_its_source_not_its_key()
    {
        var credential = _h.Credentials.For("openai");

        Assert.Equal("openai credentials (stored)", credential.ToString());
        Assert.Equal("openai credentials (stored)", $"{credential}");
    }
}
