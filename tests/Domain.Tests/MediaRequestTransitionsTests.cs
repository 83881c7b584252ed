using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Request transitions: compare-and-set so exactly one of racing calls wins, and one event per transition.</summary>
public sealed class MediaRequestTransitionsTests : IAsyncLifetime
{
    private readonly DomainHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Create_stores_the_request_and_appends_one_created_event()
    {
        var (_, run) = await _h.NewRunAsync();
        var request = await _h.NewRequestAsync(run, output: "poster.png");

        Assert.Equal(request, _h.Requests.Get(request.Id));
        var e = Assert.Single(_h.Events.ReadRun(run.RunId, 0));
        Assert.Equal((1L, EventNames.MediaRequest), (e.Seq, e.Name));
        var payload = Payload(e);
        Assert.Equal(("media_request", "created", request.Id, "requested"), (payload.Type, payload.Action, payload.Request.Id, payload.Request.Status));
    }

    [Fact]
    public async Task A_created_request_is_stored_and_announced_as_its_utf8_json_text_unchanged()
    {
        // Non-ASCII (the serializer escapes it, so the JSON is ASCII) and characters JSON escapes: the bytes path (stored,
        // put in the event, answered) must keep the text exactly.
        const string prompt = "Plakat für Köln — 東京 \"quoted\" <b>&</b>";
        var (_, run) = await _h.NewRunAsync();
        using var live = _h.Hub.SubscribeRun(run.RunId);
        var now = _h.Clock.GetUtcNow();
        var id = Ids.NewMediaRequestId();
        var (request, json) = await _h.Transitions.CreateWithJsonAsync(new MediaRequest
        {
            Id = id, RunId = run.RunId, ProjectId = run.ProjectId, Surface = MediaSurfaces.Image, Prompt = prompt,
            RequestedOutput = $"image-{id}.png", Status = MediaRequestStatuses.Requested, PolicyMode = MediaExecutionModes.RequestOnly,
            CreatedAt = now, UpdatedAt = now,
        });

        // The answer's bytes are JSON naming the request with the prompt as sent.
        using (var answer = JsonDocument.Parse(json))
        {
            Assert.Equal((id, prompt), (answer.RootElement.GetProperty("id").GetString(), answer.RootElement.GetProperty("prompt").GetString()));
        }
        // Read back through the ordinary read path: the same request, the same prompt.
        Assert.Equal(prompt, _h.Requests.Get(id).Prompt);
        Assert.Equal(request, _h.Requests.Get(id));
        // The event, as stored and as published to live subscribers, is the wrapper around exactly the answer's text.
        var expected = "{\"type\":\"media_request\",\"action\":\"created\",\"request\":" + System.Text.Encoding.UTF8.GetString(json) + "}";
        var stored = Assert.Single(_h.Events.ReadRun(run.RunId, 0));
        Assert.True(live.TryRead(out var published));
        Assert.Equal((expected, expected), (stored.Data, published!.Data));
        Assert.Equal(prompt, Payload(stored).Request.Prompt);
    }

    [Fact]
    public async Task Racing_fulfil_and_cancel_give_exactly_one_winner_and_one_409_every_round()
    {
        var (_, run) = await _h.NewRunAsync();
        var bytes = "\x89PNG fake image bytes"u8.ToArray();
        const int rounds = 40;
        var winners = new List<(string Id, string Winner)>();

        for (var round = 0; round < rounds; round++)
        {
            var request = await _h.NewRequestAsync(run, output: $"poster-{round}.png");
            using var gate = new Barrier(2);
            var fulfil = Task.Run(() =>
            {
                gate.SignalAndWait();
                return _h.Fulfillment.FulfillWithUploadAsync(request.Id, new MemoryStream(bytes), "image/png", null, CancellationToken.None);
            });
            var cancel = Task.Run(() =>
            {
                gate.SignalAndWait();
                return _h.Transitions.CancelAsync(request.Id, new MediaRequestError("changed my mind"));
            });

            var fulfilOutcome = await Outcome(fulfil);
            var cancelOutcome = await Outcome(cancel);

            Assert.True(fulfilOutcome is null ^ cancelOutcome is null, $"round {round}: exactly one must win");
            var loser = fulfilOutcome ?? cancelOutcome!;
            Assert.Equal((409, ErrorCodes.MediaRequestTerminal), (loser.Status, loser.Code));

            var stored = _h.Requests.Get(request.Id);
            var winner = fulfilOutcome is null ? MediaRequestStatuses.Fulfilled : MediaRequestStatuses.Cancelled;
            Assert.Equal(winner, stored.Status);
            // a fulfilment that lost leaves no file behind; one that won left exactly its file
            Assert.Equal(winner == MediaRequestStatuses.Fulfilled, File.Exists(Path.Combine(_h.ProjectDir(run.ProjectId), $"poster-{round}.png")));
            winners.Add((request.Id, winner));
        }

        Assert.Empty(_h.StagingFiles());
        var events = _h.Events.ReadRun(run.RunId, 0);
        Assert.Equal(Enumerable.Range(1, 2 * rounds).Select(i => (long)i), events.Select(e => e.Seq));
        foreach (var (id, winner) in winners)
        {
            var actions = events.Select(Payload).Where(p => p.Request.Id == id).Select(p => p.Action);
            Assert.Equal(["created", winner], actions);
        }
    }

    [Fact]
    public async Task Racing_direct_transitions_on_one_request_let_exactly_one_through()
    {
        var (_, run) = await _h.NewRunAsync();
        const int rounds = 30;
        for (var round = 0; round < rounds; round++)
        {
            var request = await _h.NewRequestAsync(run);
            var file = new FulfilledFile("x.png", "image", "image/png", 3, "x.png", new string('a', 64));
            var attempts = new Func<Task>[]
            {
                () => _h.Transitions.FulfillAsync(request.Id, file),
                () => _h.Transitions.CancelAsync(request.Id),
                () => _h.Transitions.FailAsync(request.Id, new MediaRequestError("nope")),
                () => _h.Transitions.CancelAsync(request.Id),
            };
            var outcomes = await Task.WhenAll(attempts.Select(a => Outcome(Task.Run(a))));

            Assert.Equal(1, outcomes.Count(o => o is null));
            Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal((409, ErrorCodes.MediaRequestTerminal), (o!.Status, o!.Code)));
        }

        var events = _h.Events.ReadRun(run.RunId, 0);
        Assert.Equal(2 * rounds, events.Count);
        Assert.Equal(Enumerable.Range(1, 2 * rounds).Select(i => (long)i), events.Select(e => e.Seq));
    }

    [Fact]
    public async Task Each_transition_appends_exactly_one_event_in_order()
    {
        // External runs need an engine that is up (the run is refused otherwise).
        await using var h = new DomainHarness(dispatcher: new RecordingDispatcher());
        var (_, run) = await h.NewRunAsync(new MediaExecutionPolicy(MediaExecutionModes.External));
        var request = await h.NewRequestAsync(run);
        h.Clock.Advance(TimeSpan.FromSeconds(1));

        var submitted = await h.Transitions.MarkSubmittedAsync(request.Id, _ => new ExternalRef("gpu-1", "ext-42"));
        await h.Transitions.MarkSubmittedAsync(request.Id, _ => new ExternalRef("other")); // repeated: no change
        var progress = await h.Transitions.RecordProgressAsync(request.Id, "p1", "rendering", 40);
        await h.Transitions.RecordProgressAsync(request.Id, "p1", "rendering", 40); // same effect key: no change
        await h.Transitions.RecordProgressAsync(request.Id, "p2", null, 80);
        var file = new FulfilledFile("out.png", "image", "image/png", 10, "out.png", new string('b', 64));
        var (fulfilled, changed) = await h.Transitions.FulfillAsync(request.Id, file);

        Assert.Equal(MediaRequestStatuses.Submitted, submitted.Status);
        Assert.Equal(new ExternalRef("gpu-1", "ext-42"), submitted.External);
        Assert.Equal((MediaRequestStatuses.Running, "rendering", 40.0), (progress.Status, progress.External!.LastProgress, progress.External.Percent));
        Assert.True(changed);
        Assert.Equal((MediaRequestStatuses.Fulfilled, file, ManualClock.Start + TimeSpan.FromSeconds(1)), (fulfilled.Status, fulfilled.FulfilledFile, fulfilled.FulfilledAt));
        Assert.Equal(("rendering", 80.0), (fulfilled.External!.LastProgress, fulfilled.External.Percent));
        Assert.Equal(fulfilled, h.Requests.Get(request.Id));

        var events = h.Events.ReadRun(run.RunId, 0);
        Assert.Equal([1L, 2, 3, 4, 5], events.Select(e => e.Seq));
        Assert.Equal(["created", "submitted", "progress", "progress", "fulfilled"], events.Select(e => Payload(e).Action));
        Assert.Equal(fulfilled, Payload(events[^1]).Request);
    }

    [Fact]
    public async Task Fulfilling_again_with_the_same_bytes_is_idempotent_and_with_other_bytes_is_409()
    {
        var (_, run) = await _h.NewRunAsync();
        var request = await _h.NewRequestAsync(run);
        var file = new FulfilledFile("x.png", "image", "image/png", 3, "x.png", new string('a', 64));
        var (first, _) = await _h.Transitions.FulfillAsync(request.Id, file);
        _h.Clock.Advance(TimeSpan.FromMinutes(1));

        var (again, changed) = await _h.Transitions.FulfillAsync(request.Id, file with { Name = "other.png" });
        Assert.False(changed);
        Assert.Equal(first, again);

        var e = await Refusal.ExpectAsync(() => _h.Transitions.FulfillAsync(request.Id, file with { Sha256 = new string('c', 64) }),
            409, ErrorCodes.MediaRequestTerminal, "media request is fulfilled and cannot become fulfilled");
        Assert.Equal("fulfilled", e.Details!["status"]);
        Assert.Equal(first, _h.Requests.Get(request.Id));
        Assert.Equal(2, _h.Events.ReadRun(run.RunId, 0).Count);
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("fail")]
    [InlineData("fulfil")]
    [InlineData("submit")]
    public async Task Nothing_changes_an_ended_request(string action)
    {
        var (_, run) = await _h.NewRunAsync();
        var request = await _h.NewRequestAsync(run);
        var cancelled = await _h.Transitions.CancelAsync(request.Id, new MediaRequestError("stop"));

        Task attempt = action switch
        {
            "cancel" => _h.Transitions.CancelAsync(request.Id),
            "fail" => _h.Transitions.FailAsync(request.Id, new MediaRequestError("x")),
            "fulfil" => _h.Transitions.FulfillAsync(request.Id, new FulfilledFile("x.png", "image", "image/png", 1, "x.png", "ab")),
            _ => _h.Transitions.TransitionAsync(request.Id, MediaRequestStatuses.Submitted, "submitted", (r, _) => r),
        };
        var e = await Refusal.ExpectAsync(() => attempt, 409, ErrorCodes.MediaRequestTerminal);
        Assert.StartsWith("media request is cancelled and cannot become ", e.Message, StringComparison.Ordinal);

        Assert.Equal(cancelled, _h.Requests.Get(request.Id));
        Assert.Equal(2, _h.Events.ReadRun(run.RunId, 0).Count);
    }

    [Fact]
    public async Task Moving_backwards_is_409()
    {
        var (_, run) = await _h.NewRunAsync();
        var request = await _h.NewRequestAsync(run);
        await _h.Transitions.RecordProgressAsync(request.Id, "p", "going", null);

        await Refusal.ExpectAsync(() => _h.Transitions.TransitionAsync(request.Id, MediaRequestStatuses.Submitted, "submitted", (r, _) => r),
            409, ErrorCodes.MediaRequestTerminal, "media request is running and cannot become submitted");
        Assert.Equal(MediaRequestStatuses.Running, _h.Requests.Get(request.Id).Status);
    }

    [Fact]
    public async Task EndOnce_ends_a_live_request_once_and_leaves_an_ended_one_alone()
    {
        var (_, run) = await _h.NewRunAsync();
        var request = await _h.NewRequestAsync(run);

        var failed = await _h.Transitions.EndOnceAsync(request.Id, MediaRequestStatuses.Failed, new MediaRequestError("boom", "EXECUTOR_REJECTED"));
        var again = await _h.Transitions.EndOnceAsync(request.Id, MediaRequestStatuses.Cancelled, null);

        Assert.Equal((MediaRequestStatuses.Failed, "EXECUTOR_REJECTED"), (failed.Status, failed.Error!.Code));
        Assert.Equal(failed, again);
        Assert.Equal(["created", "failed"], _h.Events.ReadRun(run.RunId, 0).Select(e => Payload(e).Action));
    }

    [Fact]
    public async Task Changing_an_unknown_request_is_404() =>
        await Refusal.ExpectAsync(() => _h.Transitions.CancelAsync("mreq_000000000000000000000000"), 404, ErrorCodes.MediaRequestNotFound, "media request not found");

    private static async Task<DomainException?> Outcome(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (DomainException e)
        {
            return e;
        }
    }

    private static MediaRequestEvent Payload(StoredEvent e) =>
        JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaRequestEvent)!;
}
