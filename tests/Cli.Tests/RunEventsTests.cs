using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary><c>od runs events</c>: replay, follow, and resuming after a dropped connection without losing or repeating events.</summary>
public sealed class RunEventsTests : IDisposable
{
    private const string Events = "/api/runs/run_1/events";
    private readonly FakeService service = new();

    private static string Frame(long id, string name, string data) => $"id: {id}\nevent: {name}\ndata: {data}\n\n";

    private static string MediaFrame(long id, string action, string status) =>
        Frame(id, MediaRequestEvent.EventName, JsonSerializer.Serialize(
            new MediaRequestEvent(MediaRequestEvent.EventName, action, Samples.MediaRequest(status: status)), OdJsonContext.Default.MediaRequestEvent));

    private static string EndFrame(long id) =>
        Frame(id, "end", JsonSerializer.Serialize(new RunEndPayload("run_1", RunStatuses.Succeeded), OdJsonContext.Default.RunEndPayload));

    private static readonly string[] ExpectedLines =
    [
        "#1 media_request created mreq_1 requested",
        "#2 media_request fulfilled mreq_1 fulfilled",
        "#3 media_request created mreq_1 requested",
        "#4 end - - succeeded",
    ];

    /// <summary>The run's event stream answers the first connection with one body and every later one with the other.</summary>
    private void ServeTwoConnections(string first, string second)
    {
        service.Server.Given(Request.Create().WithPath(Events).UsingGet())
            .InScenario("two").WillSetStateTo("second")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/event-stream").WithBody(first));
        service.Server.Given(Request.Create().WithPath(Events).UsingGet())
            .InScenario("two").WhenStateIs("second")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/event-stream").WithBody(second));
    }

    /// <summary>Checks that od connected twice, the second time with Last-Event-ID, and returns both requests.</summary>
    private IReadOnlyList<RecordedRequest> SecondConnectionResumedAfter(string lastEventId)
    {
        var requests = service.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].Header("Last-Event-ID"));
        Assert.Equal(lastEventId, requests[1].Header("Last-Event-ID"));
        return requests;
    }

    [Fact]
    public async Task Follow_resumes_after_a_dropped_connection_from_the_last_id_it_printed()
    {
        // First connection: two events and a keep-alive, then the stream ends without the run's end event.
        // Second connection: the service re-sends #2, then the rest and the end event.
        ServeTwoConnections(
            MediaFrame(1, "created", "requested") + ": keepalive\n\n" + MediaFrame(2, "fulfilled", "fulfilled"),
            MediaFrame(2, "fulfilled", "fulfilled") + MediaFrame(3, "created", "requested") + EndFrame(4));

        var result = await OdProcess.RunAsync(["runs", "events", "run_1", "--follow"], Samples.Env(service.Url));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(ExpectedLines, Lines(result.Stdout));
        Assert.Contains("resuming after #2", result.Stderr);
        Assert.All(SecondConnectionResumedAfter("2"), r => Assert.Equal(Events, r.Path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_resume_frame_is_followed_at_once_from_the_id_it_names(bool follow)
    {
        // The service cut od off as too far behind: the resume frame (whose id repeats the last event's) ends the stream.
        var resume = Frame(2, StreamResume.EventName, JsonSerializer.Serialize(new StreamResume(2, StreamResume.TooFarBehind), OdJsonContext.Default.StreamResume));
        ServeTwoConnections(
            MediaFrame(1, "created", "requested") + MediaFrame(2, "fulfilled", "fulfilled") + resume,
            MediaFrame(3, "created", "requested") + EndFrame(4));

        var result = await OdProcess.RunAsync(follow ? ["runs", "events", "run_1", "--follow"] : ["runs", "events", "run_1"], Samples.Env(service.Url));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(ExpectedLines, Lines(result.Stdout));
        Assert.Contains("fell behind; resuming after #2", result.Stderr);
        Assert.All(SecondConnectionResumedAfter("2"), r => Assert.Equal(follow ? null : "false", r.Query("follow")));
    }

    [Fact]
    public async Task Follow_resumes_after_the_connection_is_cut_mid_response()
    {
        using var server = new DroppingSseServer(
            (MediaFrame(1, "created", "requested") + MediaFrame(2, "fulfilled", "fulfilled"), Complete: false),
            (MediaFrame(3, "created", "requested") + EndFrame(4), Complete: true));

        var result = await OdProcess.RunAsync(["runs", "events", "run_1", "--follow"], Samples.Env(server.Url));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(ExpectedLines, Lines(result.Stdout));
        Assert.Equal(2, server.RequestHeads.Count);
        Assert.DoesNotContain("Last-Event-ID", server.RequestHeads[0], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Last-Event-ID: 2\r\n", server.RequestHeads[1], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_follow_it_replays_what_exists_and_exits_0()
    {
        service.Reply("GET", Events, 200, MediaFrame(6, "created", "requested"), "text/event-stream");

        var result = await OdProcess.RunAsync(["runs", "events", "run_1", "--after", "5"], Samples.Env(service.Url));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["#6 media_request created mreq_1 requested"], Lines(result.Stdout));
        var request = Assert.Single(service.Requests);
        Assert.Equal("false", request.Query("follow"));
        Assert.Equal("5", request.Query("after"));
    }

    [Fact]
    public async Task With_json_each_event_is_one_json_line_with_id_event_and_data()
    {
        service.Reply("GET", Events, 200, MediaFrame(1, "created", "requested") + EndFrame(2), "text/event-stream");

        var result = await OdProcess.RunAsync(["runs", "events", "run_1", "--follow", "--json"], Samples.Env(service.Url));

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = Lines(result.Stdout);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(1, first.RootElement.GetProperty("id").GetInt64());
        Assert.Equal("media_request", first.RootElement.GetProperty("event").GetString());
        var data = first.RootElement.GetProperty("data").Deserialize(OdJsonContext.Default.MediaRequestEvent)!;
        Assert.Equal("mreq_1", data.Request.Id);
        using var end = JsonDocument.Parse(lines[1]);
        Assert.Equal("succeeded", end.RootElement.GetProperty("data").GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unknown_run_is_refused_exit_4_without_reconnecting()
    {
        service.ReplyProblem("GET", Events, 404, ErrorCodes.RunNotFound, "run not found");

        var result = await OdProcess.RunAsync(["runs", "events", "run_1", "--follow"], Samples.Env(service.Url));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("RUN_NOT_FOUND", result.Stderr);
        Assert.Single(service.Requests);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public void Dispose() => service.Dispose();
}
