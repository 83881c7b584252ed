using System.Net;
using System.Text.Json;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

public sealed class EventStreamTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly TempDir _dir = new();

    [Fact]
    public async Task A_live_subscriber_gets_each_event_as_it_happens_and_the_stream_ends_with_the_run()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        using var stream = await SseClient.OpenAsync(api.Http, $"/api/runs/{run.RunId}/events");

        var request = await api.GenerateOkAsync(run.ToolToken);
        using (var cancel = await api.SendAsync(HttpMethod.Post, $"/api/media-requests/{request.Id}/cancel")) Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        using (var finish = await api.PostJsonAsync($"/api/runs/{run.RunId}/finish", """{"status":"succeeded"}""")) Assert.Equal(HttpStatusCode.OK, finish.StatusCode);

        var frames = await SseClient.TakeAsync(stream, 10, Wait);
        Assert.Equal(["1", "2", "3"], frames.Select(f => f.Id));
        Assert.Equal(["media_request", "media_request", "end"], frames.Select(f => f.Event));
        Assert.Equal("succeeded", JsonDocument.Parse(frames[2].Data).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Replay_resumes_after_Last_Event_ID_or_the_after_parameter()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        for (var i = 0; i < 5; i++) await api.GenerateOkAsync(run.ToolToken);

        var fromHeader = await SseClient.ReadToEndAsync(api.Http, $"/api/runs/{run.RunId}/events?follow=false", lastEventId: "3");
        Assert.Equal(["4", "5"], fromHeader.Select(f => f.Id));
        var fromQuery = await SseClient.ReadToEndAsync(api.Http, $"/api/runs/{run.RunId}/events?follow=false&after=1");
        Assert.Equal(["2", "3", "4", "5"], fromQuery.Select(f => f.Id));
    }

    [Fact]
    public async Task Events_survive_a_restart_and_a_terminal_run_replays_then_ends()
    {
        string runId;
        using (var first = new OdApp(_dir.Path))
        using (var api = first.Api())
        {
            var (_, run) = await api.CreateRequestOnlyRunAsync();
            runId = run.RunId;
            await api.GenerateOkAsync(run.ToolToken);
            await api.GenerateOkAsync(run.ToolToken);
            using var cancel = await api.SendAsync(HttpMethod.Post, $"/api/runs/{run.RunId}/cancel");
        }

        using var second = new OdApp(_dir.Path);
        using var again = second.Api();
        // The run ended: with follow on (the default) the stream still ends by itself after the last event.
        var all = await SseClient.ReadToEndAsync(again.Http, $"/api/runs/{runId}/events");
        Assert.Equal(["created", "created", "cancelled", "cancelled", "end"], all.Select(f => f.Event == "end" ? "end" : Action(f.Data)));
        Assert.Equal(["1", "2", "3", "4", "5"], all.Select(f => f.Id));

        var tail = await SseClient.ReadToEndAsync(again.Http, $"/api/runs/{runId}/events", lastEventId: "2");
        Assert.Equal(["3", "4", "5"], tail.Select(f => f.Id));
        // Reattaching past the end re-sends the terminal frame, so a client always sees how the run ended.
        var past = await SseClient.ReadToEndAsync(again.Http, $"/api/runs/{runId}/events", lastEventId: "5");
        Assert.Equal("end", Assert.Single(past).Event);
    }

    [Fact]
    public async Task The_global_feed_carries_every_runs_media_request_events_in_one_resumable_sequence()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, a) = await api.CreateRequestOnlyRunAsync();
        var (_, b) = await api.CreateRequestOnlyRunAsync();
        using var live = await SseClient.OpenAsync(api.Http, "/api/events");
        var ra = await api.GenerateOkAsync(a.ToolToken);
        var rb = await api.GenerateOkAsync(b.ToolToken);
        using (var finish = await api.PostJsonAsync($"/api/runs/{a.RunId}/finish", """{"status":"failed"}""")) Assert.Equal(HttpStatusCode.OK, finish.StatusCode);

        var frames = await SseClient.TakeAsync(live, 3, Wait);
        Assert.All(frames, f => Assert.Equal("media_request", f.Event));
        Assert.Equal([ra.Id, rb.Id, ra.Id], frames.Select(f => JsonDocument.Parse(f.Data).RootElement.GetProperty("request").GetProperty("id").GetString()));
        var ids = frames.Select(f => long.Parse(f.Id!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);

        var resumed = await SseClient.ReadToEndAsync(api.Http, $"/api/events?follow=false&after={ids[0]}");
        Assert.Equal(ids.Skip(1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), resumed.Select(f => f.Id));
    }

    [Fact]
    public async Task The_global_feed_without_a_cursor_starts_now_and_with_one_replays_after_it()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        var old = await api.GenerateOkAsync(run.ToolToken);

        // Nothing that happened before the connection is sent...
        Assert.Empty(await SseClient.ReadToEndAsync(api.Http, "/api/events?follow=false"));
        using var live = await SseClient.OpenAsync(api.Http, "/api/events");
        var fresh = await api.GenerateOkAsync(run.ToolToken);
        var first = Assert.Single(await SseClient.TakeAsync(live, 1, Wait));
        Assert.Equal(fresh.Id, RequestId(first.Data));

        // ...while an explicit cursor, even 0, replays from it.
        var all = await SseClient.ReadToEndAsync(api.Http, "/api/events?follow=false&after=0");
        Assert.Equal([old.Id, fresh.Id], all.Select(f => RequestId(f.Data)));
        Assert.Equal(all[1].Id, first.Id);
    }

    [Fact]
    public async Task A_replay_in_pages_of_one_event_sends_every_event_once_in_order()
    {
        // A one-byte page bound: every page holds a single (larger) event, so the replay takes one page per event.
        using var app = new OdApp(_dir.Path, settings: new Dictionary<string, string?> { ["Od:SseReplayPageBytes"] = "1" });
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        var requests = new List<string>();
        for (var i = 0; i < 4; i++) requests.Add((await api.GenerateOkAsync(run.ToolToken)).Id);
        using (var finish = await api.PostJsonAsync($"/api/runs/{run.RunId}/finish", """{"status":"succeeded"}""")) Assert.Equal(HttpStatusCode.OK, finish.StatusCode);

        var frames = await SseClient.ReadToEndAsync(api.Http, $"/api/runs/{run.RunId}/events");
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8", "9"], frames.Select(f => f.Id));
        Assert.Equal([.. requests, .. requests], frames.Take(8).Select(f => RequestId(f.Data)));
        Assert.Equal("end", frames[^1].Event);
        var global = await SseClient.ReadToEndAsync(api.Http, "/api/events?follow=false&after=0");
        Assert.Equal([.. requests, .. requests], global.Select(f => RequestId(f.Data)));
    }

    [Fact]
    public async Task A_bad_cursor_or_unknown_run_is_a_problem_not_a_stream()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        using (var bad = await api.SendAsync(HttpMethod.Get, $"/api/runs/{run.RunId}/events?after=-1"))
            await OdClient.ProblemAsync(bad, HttpStatusCode.BadRequest, ErrorCodes.BadRequest);
        using var unknown = await api.SendAsync(HttpMethod.Get, "/api/runs/run_000000000000000000000000/events");
        await OdClient.ProblemAsync(unknown, HttpStatusCode.NotFound, ErrorCodes.RunNotFound);
    }

    private static string? RequestId(string data) => JsonDocument.Parse(data).RootElement.GetProperty("request").GetProperty("id").GetString();

    private static string Action(string data) => JsonDocument.Parse(data).RootElement.GetProperty("action").GetString()!;

    public void Dispose() => _dir.Dispose();
}
