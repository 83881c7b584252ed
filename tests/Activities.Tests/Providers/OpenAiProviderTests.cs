using System.Text.Json;
using OpenDesign.Workflows.Activities.Providers;
using OpenDesign.Workflows.Contracts;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static OpenDesign.Workflows.Activities.Tests.Support.ActivityHarness;

namespace OpenDesign.Workflows.Activities.Tests.Providers;

/// <summary>The OpenAI adapter against WireMock playing OpenAI: what it sends, and what it makes of each answer.</summary>
public sealed class OpenAiProviderTests : IDisposable
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 250, 251];

    private readonly ProviderHarness _h = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _h.Dispose();

    private static ProviderJob Image(string model = "gpt-image-2", string? aspect = null) =>
        new("task_1", MediaSurfaces.Image, model, "a launch poster", aspect);

    [Fact]
    public async Task An_image_answered_as_b64_json_is_written_to_the_stream_with_the_key_as_bearer()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/images/generations").UsingPost())
            .RespondWith(Json(200, $$"""{"created":1,"data":[{"b64_json":"{{Convert.ToBase64String(Png)}}"}]}"""));
        using var output = new MemoryStream();

        var step = await _h.Providers.Get("openai").StartAsync(Image(), output, Ct);

        Assert.Equal(new ProviderStep.Finished("image/png"), step);
        Assert.Equal(Png, output.ToArray());
        var call = Assert.Single(_h.Calls("/v1/images/generations"));
        Assert.Equal("Bearer " + ProviderHarness.OpenAiKey, Header(call, "Authorization"));
        var body = BodyOf(call);
        Assert.Equal("gpt-image-2", body.GetProperty("model").GetString());
        Assert.Equal("a launch poster", body.GetProperty("prompt").GetString());
        Assert.Equal(1, body.GetProperty("n").GetInt32());
        Assert.Equal("1024x1024", body.GetProperty("size").GetString());
    }

    [Fact]
    public async Task An_image_answered_as_a_url_is_downloaded_without_the_key()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/images/generations").UsingPost())
            .RespondWith(Json(200, $$"""{"data":[{"url":"{{_h.Server.Url}}/blob/img-1.webp?sig=abc"}]}"""));
        _h.Server.Given(Request.Create().WithPath("/blob/img-1.webp").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "image/webp").WithBody(Png));
        using var output = new MemoryStream();

        var step = await _h.OpenAi.StartAsync(Image("dall-e-3"), output, Ct);

        Assert.Equal(new ProviderStep.Finished("image/webp"), step);
        Assert.Equal(Png, output.ToArray());
        var download = Assert.Single(_h.Calls("/blob/img-1.webp"));
        Assert.Null(Header(download, "Authorization"));
    }

    [Theory]
    [InlineData("gpt-image-2", null, "1024x1024")]
    [InlineData("gpt-image-1", "1:1", "1024x1024")]
    [InlineData("gpt-image-1", "16:9", "1536x1024")]
    [InlineData("gpt-image-1.5", "4:3", "1536x1024")]
    [InlineData("gpt-image-1-mini", "9:16", "1024x1536")]
    [InlineData("gpt-image-2", "3:4", "1024x1536")]
    [InlineData("dall-e-3", "16:9", "1792x1024")]
    [InlineData("dall-e-3", "3:4", "1024x1792")]
    [InlineData("dall-e-3", null, "1024x1024")]
    public async Task The_size_sent_follows_the_aspect_and_the_model(string model, string? aspect, string size)
    {
        _h.Server.Given(Request.Create().WithPath("/v1/images/generations").UsingPost())
            .RespondWith(Json(200, $$"""{"data":[{"b64_json":"{{Convert.ToBase64String(Png)}}"}]}"""));

        await _h.OpenAi.StartAsync(Image(model, aspect), new MemoryStream(), Ct);

        var body = BodyOf(Assert.Single(_h.Calls("/v1/images/generations")));
        Assert.Equal(model, body.GetProperty("model").GetString());
        Assert.Equal(size, body.GetProperty("size").GetString());
    }

    [Theory]
    [InlineData(null, "alloy")]
    [InlineData("verse", "verse")]
    public async Task Speech_streams_the_mp3_with_the_voice_or_the_default(string? voice, string sent)
    {
        byte[] mp3 = [0x49, 0x44, 0x33, 4, 0, 0, 9, 9, 9];
        _h.Server.Given(Request.Create().WithPath("/v1/audio/speech").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "audio/mpeg").WithBody(mp3));
        using var output = new MemoryStream();

        var step = await _h.OpenAi.StartAsync(new ProviderJob("task_1", MediaSurfaces.Audio, "gpt-4o-mini-tts", "Welcome aboard", Voice: voice, AudioKind: "speech"), output, Ct);

        Assert.Equal(new ProviderStep.Finished("audio/mpeg"), step);
        Assert.Equal(mp3, output.ToArray());
        var body = BodyOf(Assert.Single(_h.Calls("/v1/audio/speech")));
        Assert.Equal("gpt-4o-mini-tts", body.GetProperty("model").GetString());
        Assert.Equal("Welcome aboard", body.GetProperty("input").GetString());
        Assert.Equal(sent, body.GetProperty("voice").GetString());
        Assert.Equal("mp3", body.GetProperty("response_format").GetString());
    }

    [Fact]
    public async Task A_429_with_retry_after_seconds_is_rate_limited_with_that_delay()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/images/generations").UsingPost())
            .RespondWith(Json(429, """{"error":{"message":"Rate limit reached for images","type":"requests"}}""").WithHeader("Retry-After", "7"));

        var e = await Assert.ThrowsAsync<ProviderException>(() => _h.OpenAi.StartAsync(Image(), new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.RateLimited, e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
        Assert.Equal(429, e.ProviderStatus);
        Assert.True(e.IsRetryable);
        Assert.Equal("openai is rate limiting requests (429): Rate limit reached for images", e.Message);
    }

    [Fact]
    public async Task A_429_with_an_http_date_waits_until_that_date()
    {
        // The harness clock stands at 2026-12-06 10:00:00Z; the provider asks for 10:00:42Z.
        _h.Server.Given(Request.Create().WithPath("/v1/images/generations").UsingPost())
            .RespondWith(Json(429, "{}").WithHeader("Retry-After", "Sun, 06 Dec 2026 10:00:42 GMT"));

        var e = await Assert.ThrowsAsync<ProviderException>(() => _h.OpenAi.StartAsync(Image(), new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.RateLimited, e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(42), e.RetryAfter);
    }

    [Fact]
    public async Task A_500_is_transient()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/images/generations").UsingPost())
            .RespondWith(Json(500, """{"error":{"message":"The server had an error"}}"""));

        var e = await Assert.ThrowsAsync<ProviderException>(() => _h.OpenAi.StartAsync(Image(), new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.Transient, e.Kind);
        Assert.Equal(500, e.ProviderStatus);
        Assert.Equal("openai answered 500: The server had an error", e.Message);
    }

    [Fact]
    public async Task A_400_is_rejected_with_the_providers_message()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/images/generations").UsingPost())
            .RespondWith(Json(400, """{"error":{"message":"Your request was rejected by the safety system.","type":"invalid_request_error","code":"moderation_blocked"}}"""));

        var e = await Assert.ThrowsAsync<ProviderException>(() => _h.OpenAi.StartAsync(Image(), new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.Rejected, e.Kind);
        Assert.False(e.IsRetryable);
        Assert.Equal(400, e.ProviderStatus);
        Assert.Equal("openai refused the request (400): Your request was rejected by the safety system.", e.Message);
    }

    [Fact]
    public async Task A_speech_error_body_is_read_too()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/audio/speech").UsingPost())
            .RespondWith(Json(400, """{"error":{"message":"Invalid voice 'robot'"}}"""));

        var e = await Assert.ThrowsAsync<ProviderException>(() =>
            _h.OpenAi.StartAsync(new ProviderJob("task_1", MediaSurfaces.Audio, "gpt-4o-mini-tts", "hi", Voice: "robot"), new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.Rejected, e.Kind);
        Assert.Equal("openai refused the request (400): Invalid voice 'robot'", e.Message);
    }

    [Fact]
    public async Task A_provider_that_cannot_be_reached_is_transient()
    {
        _h.Server.Stop();

        var e = await Assert.ThrowsAsync<ProviderException>(() => _h.OpenAi.StartAsync(Image(), new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.Transient, e.Kind);
        Assert.Null(e.ProviderStatus);
    }

    [Fact]
    public async Task A_sora_job_is_created_polled_while_pending_and_its_content_downloaded_when_completed()
    {
        byte[] mp4 = [0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6D, 0x70, 0x34, 0x32, 7, 7];
        var poll = Guid.NewGuid();
        _h.Server.Given(Request.Create().WithPath("/v1/videos").UsingPost())
            .RespondWith(Json(200, """{"id":"video_abc","object":"video","status":"queued","progress":0,"model":"sora-2"}"""));
        _h.Server.Given(Request.Create().WithPath("/v1/videos/video_abc").UsingGet()).WithGuid(poll)
            .RespondWith(Json(200, """{"id":"video_abc","status":"in_progress","progress":40}"""));
        _h.Server.Given(Request.Create().WithPath("/v1/videos/video_abc/content").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "video/mp4").WithBody(mp4));
        var job = new ProviderJob("task_1", MediaSurfaces.Video, "sora-2-pro", "a drone shot over a harbour", Aspect: "9:16", Length: 9);
        using var output = new MemoryStream();

        var started = await _h.OpenAi.StartAsync(job, output, Ct);
        var pending = await _h.OpenAi.PollAsync(job, "video_abc", output, Ct);
        _h.Server.Given(Request.Create().WithPath("/v1/videos/video_abc").UsingGet()).WithGuid(poll)
            .RespondWith(Json(200, """{"id":"video_abc","status":"completed","progress":100}"""));
        var done = await _h.OpenAi.PollAsync(job, "video_abc", output, Ct);

        Assert.Equal(new ProviderStep.Pending("video_abc", "queued", 0), started);
        Assert.Equal(new ProviderStep.Pending("video_abc", "in_progress", 40), pending);
        Assert.Equal(new ProviderStep.Finished("video/mp4"), done);
        Assert.Equal(mp4, output.ToArray());
        var create = Assert.Single(_h.Calls("/v1/videos"));
        Assert.Equal("Bearer " + ProviderHarness.OpenAiKey, Header(create, "Authorization"));
        Assert.StartsWith("multipart/form-data", Header(create, "Content-Type"), StringComparison.Ordinal);
        Assert.Equal(
            new Dictionary<string, string> { ["model"] = "sora-2-pro", ["prompt"] = "a drone shot over a harbour", ["size"] = "720x1280", ["seconds"] = "8" },
            FormFields(create.Body!));
        Assert.Equal(2, _h.Calls("/v1/videos/video_abc").Count);
        Assert.Single(_h.Calls("/v1/videos/video_abc/content"));
    }

    [Theory]
    [InlineData(null, "16:9", "4", "1280x720")]
    [InlineData(5.0, "1:1", "4", "1280x720")]
    [InlineData(6.0, "4:3", "8", "1280x720")]
    [InlineData(10.0, "3:4", "12", "720x1280")]
    [InlineData(11.0, "16:9", "12", "1280x720")]
    [InlineData(30.0, "9:16", "12", "720x1280")]
    public async Task Sora_seconds_are_the_nearest_allowed_and_the_size_follows_the_aspect(double? length, string aspect, string seconds, string size)
    {
        _h.Server.Given(Request.Create().WithPath("/v1/videos").UsingPost()).RespondWith(Json(200, """{"id":"video_1","status":"queued"}"""));

        await _h.OpenAi.StartAsync(new ProviderJob("task_1", MediaSurfaces.Video, "sora-2", "waves", aspect, length), new MemoryStream(), Ct);

        var fields = FormFields(Assert.Single(_h.Calls("/v1/videos")).Body!);
        Assert.Equal(seconds, fields["seconds"]);
        Assert.Equal(size, fields["size"]);
    }

    [Fact]
    public async Task A_failed_sora_job_is_rejected_with_its_error()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/videos/video_bad").UsingGet())
            .RespondWith(Json(200, """{"id":"video_bad","status":"failed","error":{"code":"moderation_blocked","message":"The prompt was blocked by moderation."}}"""));

        var e = await Assert.ThrowsAsync<ProviderException>(() =>
            _h.OpenAi.PollAsync(new ProviderJob("task_1", MediaSurfaces.Video, "sora-2", "x"), "video_bad", new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.Rejected, e.Kind);
        Assert.Equal("openai video job video_bad failed: The prompt was blocked by moderation.", e.Message);
    }

    [Fact]
    public async Task Cancel_deletes_the_sora_job_once()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/videos/video_abc").UsingDelete())
            .RespondWith(Json(200, """{"id":"video_abc","object":"video.deleted","deleted":true}"""));

        await _h.OpenAi.CancelAsync("video_abc", Ct);

        var call = Assert.Single(_h.AllCalls());
        Assert.Equal("DELETE", call.Method);
        Assert.Equal("/v1/videos/video_abc", call.Path);
        Assert.Equal("Bearer " + ProviderHarness.OpenAiKey, Header(call, "Authorization"));
    }

    [Fact]
    public async Task Cancelling_a_job_the_provider_no_longer_has_is_done()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/videos/video_gone").UsingDelete()).RespondWith(Json(404, """{"error":{"message":"not found"}}"""));

        await _h.OpenAi.CancelAsync("video_gone", Ct);

        Assert.Single(_h.Calls("/v1/videos/video_gone"));
    }

    /// <summary>The text fields of a multipart/form-data body, read independently of how Refit wrote them.</summary>
    private static Dictionary<string, string> FormFields(string body)
    {
        var fields = new Dictionary<string, string>();
        foreach (var part in body.Split("\r\n--", StringSplitOptions.RemoveEmptyEntries))
        {
            var name = System.Text.RegularExpressions.Regex.Match(part, "name=\"?([a-z_]+)\"?");
            var split = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (!name.Success || split < 0) continue;
            fields[name.Groups[1].Value] = part[(split + 4)..].TrimEnd('\r', '\n', '-');
        }
        return fields;
    }
}
