using System.Text.Json;
using OpenDesign.Workflows.Activities.Providers;
using OpenDesign.Workflows.Activities.Providers.Replicate;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Catalog;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static OpenDesign.Workflows.Activities.Tests.Support.ActivityHarness;

namespace OpenDesign.Workflows.Activities.Tests.Providers;

/// <summary>The Replicate adapter against WireMock playing Replicate's predictions API.</summary>
public sealed class ReplicateProviderTests : IDisposable
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 9, 8, 7, 6, 5];

    private readonly ProviderHarness _h = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _h.Dispose();

    private static readonly ProviderJob Flux = new("task_1", MediaSurfaces.Image, "flux-schnell", "a fox in the snow", Aspect: "16:9");

    [Fact]
    public async Task A_prediction_is_created_on_the_official_model_polled_and_its_output_downloaded()
    {
        var poll = Guid.NewGuid();
        _h.Server.Given(Request.Create().WithPath("/v1/models/black-forest-labs/flux-schnell/predictions").UsingPost())
            .RespondWith(Json(201, """{"id":"pred_1","status":"starting","output":null,"error":null}"""));
        _h.Server.Given(Request.Create().WithPath("/v1/predictions/pred_1").UsingGet()).WithGuid(poll)
            .RespondWith(Json(200, """{"id":"pred_1","status":"processing","output":null}"""));
        _h.Server.Given(Request.Create().WithPath("/files/out-0.png").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "image/png").WithBody(Png));
        using var output = new MemoryStream();

        var started = await _h.Replicate.StartAsync(Flux, output, Ct);
        var pending = await _h.Replicate.PollAsync(Flux, "pred_1", output, Ct);
        _h.Server.Given(Request.Create().WithPath("/v1/predictions/pred_1").UsingGet()).WithGuid(poll)
            .RespondWith(Json(200, $$"""{"id":"pred_1","status":"succeeded","output":["{{_h.Server.Url}}/files/out-0.png"]}"""));
        var done = await _h.Replicate.PollAsync(Flux, "pred_1", output, Ct);

        Assert.Equal(new ProviderStep.Pending("pred_1", "starting"), started);
        Assert.Equal(new ProviderStep.Pending("pred_1", "processing"), pending);
        Assert.Equal(new ProviderStep.Finished("image/png"), done);
        Assert.Equal(Png, output.ToArray());
        var create = Assert.Single(_h.Calls("/v1/models/black-forest-labs/flux-schnell/predictions"));
        Assert.Equal("Bearer " + ProviderHarness.ReplicateToken, Header(create, "Authorization"));
        Assert.Equal("""{"input":{"prompt":"a fox in the snow","aspect_ratio":"16:9","output_format":"png"}}""", create.Body);
        Assert.All(_h.Calls("/v1/predictions/pred_1"), c => Assert.Equal("Bearer " + ProviderHarness.ReplicateToken, Header(c, "Authorization")));
        Assert.Null(Header(Assert.Single(_h.Calls("/files/out-0.png")), "Authorization"));
    }

    [Fact]
    public async Task A_single_url_output_is_downloaded_too()
    {
        byte[] mp4 = [0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 1];
        _h.Server.Given(Request.Create().WithPath("/v1/models/kwaivgi/kling-v1.6-standard/predictions").UsingPost())
            .RespondWith(Json(201, $$"""{"id":"pred_v","status":"succeeded","output":"{{_h.Server.Url}}/files/clip.mp4"}"""));
        _h.Server.Given(Request.Create().WithPath("/files/clip.mp4").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "video/mp4").WithBody(mp4));
        using var output = new MemoryStream();

        var step = await _h.Replicate.StartAsync(new ProviderJob("task_1", MediaSurfaces.Video, "kling-1.6", "waves", Aspect: "9:16", Length: 10), output, Ct);

        Assert.Equal(new ProviderStep.Finished("video/mp4"), step);
        Assert.Equal(mp4, output.ToArray());
        var create = Assert.Single(_h.Calls("/v1/models/kwaivgi/kling-v1.6-standard/predictions"));
        Assert.Equal("""{"input":{"prompt":"waves","aspect_ratio":"9:16","duration":10}}""", create.Body);
    }

    [Fact]
    public async Task A_failed_prediction_is_rejected_with_its_error()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/predictions/pred_2").UsingGet())
            .RespondWith(Json(200, """{"id":"pred_2","status":"failed","output":null,"error":"NSFW content detected. Try a different prompt."}"""));

        var e = await Assert.ThrowsAsync<ProviderException>(() => _h.Replicate.PollAsync(Flux, "pred_2", new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.Rejected, e.Kind);
        Assert.Equal("replicate prediction pred_2 failed: NSFW content detected. Try a different prompt.", e.Message);
    }

    [Fact]
    public async Task A_canceled_prediction_is_rejected()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/predictions/pred_3").UsingGet())
            .RespondWith(Json(200, """{"id":"pred_3","status":"canceled"}"""));

        var e = await Assert.ThrowsAsync<ProviderException>(() => _h.Replicate.PollAsync(Flux, "pred_3", new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.Rejected, e.Kind);
        Assert.Equal("replicate prediction pred_3 was canceled", e.Message);
    }

    [Fact]
    public async Task A_refused_create_carries_replicates_problem_detail()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/models/black-forest-labs/flux-schnell/predictions").UsingPost())
            .RespondWith(Json(422, """{"title":"Input validation failed","detail":"- input.aspect_ratio: aspect_ratio must be one of the following","status":422}""", "application/problem+json"));

        var e = await Assert.ThrowsAsync<ProviderException>(() => _h.Replicate.StartAsync(Flux, new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.Rejected, e.Kind);
        Assert.Equal("replicate refused the request (422): - input.aspect_ratio: aspect_ratio must be one of the following", e.Message);
    }

    [Fact]
    public async Task A_429_on_create_is_rate_limited_with_retry_after()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/models/black-forest-labs/flux-schnell/predictions").UsingPost())
            .RespondWith(Json(429, """{"detail":"Request was throttled."}""").WithHeader("Retry-After", "3"));

        var e = await Assert.ThrowsAsync<ProviderException>(() => _h.Replicate.StartAsync(Flux, new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.RateLimited, e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), e.RetryAfter);
    }

    [Fact]
    public async Task A_503_while_polling_is_transient()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/predictions/pred_1").UsingGet()).RespondWith(Json(503, "{}"));

        var e = await Assert.ThrowsAsync<ProviderException>(() => _h.Replicate.PollAsync(Flux, "pred_1", new MemoryStream(), Ct));

        Assert.Equal(ProviderFailureKind.Transient, e.Kind);
        Assert.Equal(503, e.ProviderStatus);
    }

    [Fact]
    public async Task Cancel_posts_the_predictions_cancel_once()
    {
        _h.Server.Given(Request.Create().WithPath("/v1/predictions/pred_1/cancel").UsingPost())
            .RespondWith(Json(200, """{"id":"pred_1","status":"canceled"}"""));

        await _h.Replicate.CancelAsync("pred_1", Ct);

        var call = Assert.Single(_h.AllCalls());
        Assert.Equal("POST", call.Method);
        Assert.Equal("/v1/predictions/pred_1/cancel", call.Path);
        Assert.Equal("Bearer " + ProviderHarness.ReplicateToken, Header(call, "Authorization"));
    }

    [Fact]
    public void Every_replicate_catalog_model_has_a_replicate_model_and_no_mapping_is_outside_the_catalog()
    {
        var catalog = MediaCatalog.Models.Where(m => m.Provider == "replicate").Select(m => m.Id).Order().ToList();

        Assert.Equal(catalog, ReplicateModels.ByCatalogId.Keys.Order().ToList());
        Assert.Equal(["flux-schnell", "ideogram-v2", "kling-1.6", "minimax-video-01", "sd-3.5"], catalog);
    }
}
