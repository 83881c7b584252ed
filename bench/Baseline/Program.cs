using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using System.Threading.Channels;

// The fairest "nothing but HTTP" reference for POST /api/tools/media/generate: the same WebApplication defaults and
// logging configuration as the service, one MapPost that reads the whole body and answers 202 with a JSON document
// and a Location header. No token check, no policy, no storage.
//
// It is also the bare reference for the SSE fan-out: GET /events holds a text/event-stream response open, and
// POST /publish builds one frame (padded to ?frameBytes=, the size of the service's event frame) once and hands the
// same bytes to every open stream, each of which writes and flushes it. No replay, no cursor, no storage.
var builder = WebApplication.CreateBuilder(args);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, BaselineJson.Default));
var app = builder.Build();

app.MapPost("/api/tools/media/generate", async (HttpRequest request) =>
{
    using var buffer = new MemoryStream();
    await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
    var id = "mreq_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    return TypedResults.Accepted($"/api/media-requests/{id}", new Ack(id, "requested", buffer.Length));
});
app.MapGet("/healthz", () => TypedResults.Ok(new Ack("ok", "ok", 0)));

var connected = ": connected\n\n"u8.ToArray();
var streams = new List<ChannelWriter<byte[]>>();
var streamsLock = new Lock();
long seq = 0;

app.MapGet("/events", async (HttpContext context) =>
{
    var ct = context.RequestAborted;
    var channel = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    lock (streamsLock) streams.Add(channel.Writer);
    try
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var body = context.Response.BodyWriter;
        // Subscribed before this is written, so a client that has read it misses no frame.
        await body.WriteAsync(connected, ct);
        while (await channel.Reader.WaitToReadAsync(ct))
        {
            while (channel.Reader.TryRead(out var frame)) body.Write(frame);
            await body.FlushAsync(ct);
        }
    }
    catch (OperationCanceledException) when (ct.IsCancellationRequested)
    {
        // The client went away.
    }
    finally
    {
        lock (streamsLock) streams.Remove(channel.Writer);
    }
});

app.MapPost("/publish", async (HttpRequest request, int? frameBytes) =>
{
    using var buffer = new MemoryStream();
    await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
    var id = "mreq_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    var head = string.Create(CultureInfo.InvariantCulture, $"id: {Interlocked.Increment(ref seq)}\nevent: media_request\ndata: {{\"id\":\"{id}\",\"pad\":\"");
    const string tail = "\"}\n\n";
    var pad = Math.Max(0, (frameBytes ?? 0) - head.Length - tail.Length);
    var frame = Encoding.UTF8.GetBytes(head + new string('x', pad) + tail);
    lock (streamsLock)
    {
        foreach (var stream in streams) stream.TryWrite(frame);
    }
    return TypedResults.Accepted($"/api/media-requests/{id}", new Ack(id, "requested", frame.Length));
});

await app.RunAsync();

internal sealed record Ack(string Id, string Status, long BodyBytes);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Ack))]
internal sealed partial class BaselineJson : JsonSerializerContext;
