using System.Net;
using System.Net.Sockets;
using System.Text.Json.Serialization.Metadata;
using OpenDesign.Workflows.Contracts;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>A WireMock stand-in for the service, recording every request od makes.</summary>
public sealed class FakeService : IDisposable
{
    private readonly WireMockServer server = WireMockServer.Start();

    public string Url => server.Url!;

    public WireMockServer Server => server;

    /// <summary>Every request received, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests =>
        [.. server.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>().OrderBy(m => m.DateTime).Select(m => new RecordedRequest(m))];

    public void Reply(string method, string path, int status, string? body = null, string contentType = "application/json") =>
        server.Given(Request.Create().WithPath(path).UsingMethod(method))
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body ?? ""));

    public void Reply<T>(string method, string path, int status, T value, JsonTypeInfo<T> type) =>
        Reply(method, path, status, System.Text.Json.JsonSerializer.Serialize(value, type));

    public void ReplyProblem(string method, string path, int status, string code, string detail) =>
        Reply(method, path, status, System.Text.Json.JsonSerializer.Serialize(
            new Problem($"https://errors.example/{code}", "Refused", status, detail, code), OdJsonContext.Default.Problem),
            "application/problem+json");

    /// <summary>A loopback URL on which nothing listens: connecting is refused at once.</summary>
    public static string DeadUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    public void Dispose() => server.Stop();
}

/// <summary>One request as the fake service saw it.</summary>
public sealed class RecordedRequest(IRequestMessage message)
{
    public string Method => message.Method;

    public string Path => message.Path;

    public string? Body => message.Body;

    public byte[]? Bytes => message.BodyAsBytes;

    public string? Header(string name) =>
        message.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    public string? Query(string name) =>
        message.Query?.FirstOrDefault(q => string.Equals(q.Key, name, StringComparison.Ordinal)).Value?.FirstOrDefault();
}
