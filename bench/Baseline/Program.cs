using System.Security.Cryptography;
using System.Text.Json.Serialization;

// The fairest "nothing but HTTP" reference for POST /api/tools/media/generate: the same WebApplication defaults and
// logging configuration as the service, one MapPost that reads the whole body and answers 202 with a JSON document
// and a Location header. No token check, no policy, no storage.
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

await app.RunAsync();

internal sealed record Ack(string Id, string Status, long BodyBytes);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Ack))]
internal sealed partial class BaselineJson : JsonSerializerContext;
