using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using CsCheck;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests.Fuzz;

/// <summary>
/// Property-based fuzz of every mapped endpoint, in memory: whatever the body, query, path or headers, the answer is
/// never a 5xx the service did not choose, every refusal is problem+json with a code from <see cref="ErrorCodes"/>, a
/// refusal changes nothing stored (rows and files), and an event stream that opens is <c>text/event-stream</c>.
/// Each property runs <see cref="DefaultIterations"/> cases; <c>OD_FUZZ_SECONDS=n</c> runs each for n seconds instead,
/// and <c>OD_FUZZ_SEED</c> replays the seed a failure printed.
/// </summary>
public sealed class ApiFuzzTests : IAsyncLifetime
{
    private const int DefaultIterations = 150;

    private static readonly HashSet<string> KnownCodes = [.. typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!)];

    /// <summary>5xx answers the service gives on purpose, as a refusal that stores nothing (documented in api.md).</summary>
    private static readonly HashSet<(int, string)> ChosenServerRefusals =
    [
        (503, ErrorCodes.TemporalUnavailable), (503, ErrorCodes.MediaProviderUnavailable), (502, ErrorCodes.DownloadFailed),
    ];

    private FuzzWorld _world = null!;
    private List<ApiEndpoint> _endpoints = null!;
    private readonly Dictionary<int, int> _statuses = [];
    private int _cases;
    private int _unsendable;

    public async ValueTask InitializeAsync()
    {
        _world = await FuzzWorld.StartAsync();
        _endpoints = ApiEndpoint.All(_world.App.Services);
    }

    public ValueTask DisposeAsync()
    {
        _world.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void Every_endpoint_has_a_generator_for_its_path_parameters_and_a_known_good_body()
    {
        var missing = _endpoints.SelectMany(e => e.ParameterKeys.Where(k => !FuzzGens.PathParameters.ContainsKey(k)).Select(k => $"{e.Key}: {k}")).ToList();
        Assert.True(missing.Count == 0, $"route parameters without a generator in FuzzGens.PathParameters: {string.Join(", ", missing)}");
        Assert.Equal(FuzzGens.Bodies.Keys.Order(StringComparer.Ordinal), _endpoints.Where(e => e.ChangesState).Select(e => e.Key));
        Assert.Contains("GET /api/runs/{id}/events", _endpoints.Select(e => e.Key));
    }

    [Fact]
    public Task Mutated_json_bodies() => FuzzAsync(Cases(
        _endpoints.Where(e => FuzzGens.Bodies.GetValueOrDefault(e.Key) is not null), body: FuzzGens.MutatedBodies));

    [Fact]
    public Task Raw_bodies_content_types_and_lengths() => FuzzAsync(Cases(
        _endpoints.Where(e => e.ChangesState), body: FuzzGens.AnyBodies, contentType: FuzzGens.ContentTypes,
        lengthDelta: FuzzGens.LengthDeltas, fileName: FuzzGens.FileNames));

    [Fact]
    public Task Paths_queries_and_methods() => FuzzAsync(Cases(_endpoints, oddPaths: true, query: FuzzGens.Queries, method: FuzzGens.WrongMethods));

    [Fact]
    public Task Credentials_and_browser_headers() => FuzzAsync(Cases(_endpoints, auth: FuzzGens.Auths, rawAuth: FuzzGens.RawAuthorizations,
        lastEventId: FuzzGens.LastEventIds, origin: FuzzGens.Origins, host: FuzzGens.Hosts));

    [Fact]
    public Task Everything_at_once() => FuzzAsync(Cases(_endpoints, oddPaths: true, body: FuzzGens.AnyBodies, contentType: FuzzGens.ContentTypes,
        lengthDelta: FuzzGens.LengthDeltas, fileName: FuzzGens.FileNames, query: FuzzGens.Queries, method: FuzzGens.WrongMethods,
        auth: FuzzGens.Auths, rawAuth: FuzzGens.RawAuthorizations, lastEventId: FuzzGens.LastEventIds, origin: FuzzGens.Origins, host: FuzzGens.Hosts));

    /// <summary>Cases over these endpoints; what is not fuzzed is what a legitimate caller would send.</summary>
    private static Gen<FuzzCase> Cases(IEnumerable<ApiEndpoint> endpoints, bool oddPaths = false, Gen<BodySpec>? body = null,
        Gen<string?>? contentType = null, Gen<long?>? lengthDelta = null, Gen<string?>? fileName = null, Gen<(string, string)[]>? query = null,
        Gen<string?>? method = null, Gen<Auth>? auth = null, Gen<string?>? rawAuth = null, Gen<string?>? lastEventId = null,
        Gen<string?>? origin = null, Gen<string?>? host = null)
    {
        var list = endpoints.ToArray();
        Assert.NotEmpty(list);
        return Gen.Int[0, list.Length - 1].SelectMany(i =>
        {
            var e = list[i];
            var path = e.ParameterKeys.Select(k => oddPaths ? FuzzGens.PathParameters[k].Any : Gen.Const(FuzzGens.PathParameters[k].Proper)).ToArray();
            var proper = FuzzGens.Bodies.GetValueOrDefault(e.Key) is null ? (BodySpec)new NoBody() : new ProperBody();
            return Gen.Select(
                path.Aggregate(Gen.Const(Array.Empty<PathValue>()), (values, next) => Gen.Select(values, next, (a, v) => (PathValue[])[.. a, v])),
                query ?? Gen.Const(Array.Empty<(string, string)>()),
                Gen.Select(auth ?? Gen.Const(Auth.Proper), rawAuth ?? Gen.Const((string?)null), lastEventId ?? Gen.Const((string?)null)),
                Gen.Select(origin ?? Gen.Const((string?)null), host ?? Gen.Const((string?)null), method ?? Gen.Const((string?)null)),
                Gen.Select(body ?? Gen.Const(proper), contentType ?? Gen.Const((string?)FuzzCase.FitsBody), lengthDelta ?? Gen.Const((long?)null),
                    fileName ?? Gen.Const((string?)null)),
                (p, q, a, b, c) => new FuzzCase(e, b.Item3, p, q, a.Item1, a.Item2, a.Item3, b.Item1, b.Item2, c.Item1, c.Item2, c.Item3, c.Item4));
        });
    }

    private async Task FuzzAsync(Gen<FuzzCase> cases)
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("OD_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : -1;
        var seed = Environment.GetEnvironmentVariable("OD_FUZZ_SEED") is { Length: > 0 } given ? given : null;
        var output = TestContext.Current.TestOutputHelper;
        try
        {
            await cases.SampleAsync(CheckAsync, writeLine: output is null ? null : output.WriteLine, seed: seed,
                iter: seconds > 0 ? -1 : DefaultIterations, time: seconds, threads: 1, print: c => c.ToString());
        }
        finally
        {
            output?.WriteLine($"{_cases} cases ({_unsendable} the in-process host cannot send); statuses: {string.Join(", ", _statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        }
    }

    /// <summary>Sends one case and checks every property; a failure names the case and the exact request sent.</summary>
    private async Task CheckAsync(FuzzCase c)
    {
        _cases++;
        var template = FuzzGens.Bodies.GetValueOrDefault($"{c.Endpoint.Method} {c.Endpoint.Pattern}");
        var before = StateSnapshot.Take(_world.DataDir);
        var (request, body) = c.Build(_world, template);
        using var _ = request;
        var sent = Describe(request, body);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        HttpResponseMessage response;
        try
        {
            response = await _world.Api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (InvalidOperationException e) when (e.StackTrace?.Contains("PathString.FromUriComponent", StringComparison.Ordinal) == true)
        {
            // The in-process host cannot even build this request (a NUL in the path); Kestrel refuses it before the
            // service runs, which the real-process suite covers.
            _unsendable++;
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException || !timeout.IsCancellationRequested)
        {
            throw new InvalidOperationException($"the service threw instead of answering\n  case: {c}\n  sent: {sent}\n  {e}");
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
            var type = response.Content.Headers.ContentType?.MediaType;
            string text;
            if (status == 200 && type == "text/event-stream")
            {
                text = await FirstFrameAsync(response, timeout.Token);
            }
            else
            {
                text = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            string Fail(string what) => $"{what}\n  case: {c}\n  sent: {sent}\n  got:  {status} {type} {Shorten(text, 600)}";

            if (c.Endpoint.IsEventStream && status == 200 && c.Verb == "GET") Assert.True(type == "text/event-stream", Fail("an event stream answered 200 without text/event-stream"));
            var refused = status is >= 400 and < 500;
            if (status >= 500)
            {
                if (c.Endpoint.Pattern == "/health/ready" && status == 503 && type == "application/json") return; // degraded, by design
                var code = CodeOf(text);
                Assert.True(type == "application/problem+json" && code is not null && ChosenServerRefusals.Contains((status, code)), Fail("a 5xx the service did not choose"));
                refused = true;
            }
            if (refused)
            {
                Assert.True(type == "application/problem+json", Fail("a refusal that is not application/problem+json"));
                if (c.Verb != "HEAD")
                {
                    var code = CodeOf(text);
                    Assert.True(!string.IsNullOrEmpty(code), Fail("a problem without a code"));
                    Assert.True(KnownCodes.Contains(code), Fail($"a problem code that is not in ErrorCodes: {code}"));
                }
                var after = StateSnapshot.Take(_world.DataDir);
                Assert.True(after == before, Fail($"a refusal changed stored state:\n  before: {before}\n  after:  {after}"));
            }
            else if (status is >= 200 and < 300 && c.Verb is not ("GET" or "HEAD"))
            {
                await _world.RefreshAsync();
            }
        }
    }

    private static string? CodeOf(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads up to the end of the first SSE frame (the ": connected" comment), then lets the caller abort the stream.</summary>
    private static async Task<string> FirstFrameAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var read = new List<byte>();
        var buffer = new byte[256];
        while (!Encoding.UTF8.GetString([.. read]).Contains("\n\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) break;
            read.AddRange(buffer.AsSpan(0, n));
        }
        return Encoding.UTF8.GetString([.. read]);
    }

    private static string Describe(HttpRequestMessage request, byte[]? body)
    {
        var text = new StringBuilder($"{request.Method} {request.RequestUri}");
        foreach (var (name, values) in request.Headers) text.Append($" | {name}: {Shorten(string.Join(" ,, ", values), 80)}");
        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers) text.Append($" | {name}: {string.Join(", ", values)}");
            text.Append($" | body ({body?.Length ?? 0} bytes): {Shorten(Encoding.UTF8.GetString(body ?? []), 300)}");
        }
        return text.ToString();
    }

    private static string Shorten(string text, int max) => text.Length > max ? $"{text[..max]}…({text.Length} chars)" : text;
}
