using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests.Fuzz;

/// <summary>The things a fuzzed request may name, by role rather than by id, so a printed case reads the same in every run.</summary>
public enum Ref
{
    ProjectA,
    ProjectB,
    RunA,
    RunB,
    RunEnded,
    RequestA,
    RequestB,
    RequestEnded,
}

/// <summary>Credentials a fuzzed request may present.</summary>
public enum Auth
{
    /// <summary>What the endpoint's legitimate caller sends: run A's tool token on the tool endpoint, nothing (loopback admin) elsewhere.</summary>
    Proper,
    None,
    Admin,
    ToolA,
    ToolB,
    ToolEnded,
    CallbackA,
    CallbackB,
}

/// <summary>
/// One service in memory with two live runs (each with a requested media request and a callback token), an ended run
/// and an ended request. A request that succeeds may end or use up any of them; <see cref="RefreshAsync"/> replaces
/// what was used up, outside any measured request, so later cases still reach the deep paths.
/// </summary>
public sealed class FuzzWorld : IDisposable
{
    public const string AdminToken = "fuzz-admin-token-0123456789";
    public const string ProjectFile = "a.png";

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
    private readonly TempDir _dir = new();
    private readonly Dictionary<Ref, string> _ids = [];
    private readonly Dictionary<Auth, string> _tokens = [];

    private FuzzWorld()
    {
        // The clock stands still, so a tool token's sliding expiry never moves: a validated token changes no row.
        App = new OdApp(_dir.Path, new ManualClock(), settings: new Dictionary<string, string?> { ["OD_API_TOKEN"] = AdminToken });
        Api = App.Api();
    }

    public OdApp App { get; }
    public OdClient Api { get; }
    public string DataDir => _dir.Path;

    public static async Task<FuzzWorld> StartAsync()
    {
        var world = new FuzzWorld();
        var (projectA, runA) = await world.Api.CreateRequestOnlyRunAsync();
        var (projectB, runB) = await world.Api.CreateRequestOnlyRunAsync();
        world._ids[Ref.ProjectA] = projectA.Id;
        world._ids[Ref.ProjectB] = projectB.Id;
        world.SetRun(Ref.RunA, Auth.ToolA, runA);
        world.SetRun(Ref.RunB, Auth.ToolB, runB);

        var ended = await world.Api.CreateRunAsync(projectA.Id);
        world.SetRun(Ref.RunEnded, Auth.ToolEnded, ended);
        var endedRequest = await world.Api.GenerateOkAsync(runA.ToolToken);
        world._ids[Ref.RequestEnded] = endedRequest.Id;
        using (var cancel = await world.Api.SendAsync(HttpMethod.Post, $"/api/media-requests/{endedRequest.Id}/cancel")) Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        using (var end = await world.Api.SendAsync(HttpMethod.Post, $"/api/runs/{ended.RunId}/cancel")) Assert.Equal(HttpStatusCode.OK, end.StatusCode);

        await world.RefreshAsync();
        return world;
    }

    public string Id(Ref r) => _ids[r];

    public string Token(Auth auth) => auth == Auth.Admin ? AdminToken : _tokens[auth];

    /// <summary>Replaces an ended live run, a live request that ended, and a project file that was used up.</summary>
    public async Task RefreshAsync()
    {
        foreach (var (run, project, tool, request, callback) in new[]
                 {
                     (Ref.RunA, Ref.ProjectA, Auth.ToolA, Ref.RequestA, Auth.CallbackA),
                     (Ref.RunB, Ref.ProjectB, Auth.ToolB, Ref.RequestB, Auth.CallbackB),
                 })
        {
            if (Status("runs", Id(run)) != RunStatuses.Running)
            {
                SetRun(run, tool, await Api.CreateRunAsync(Id(project)));
                _ids.Remove(request);
            }
            if (!_ids.TryGetValue(request, out var requestId) || MediaRequestStatuses.IsTerminal(RequestStatus(requestId)))
            {
                var created = await Api.GenerateOkAsync(_tokens[tool]);
                _ids[request] = created.Id;
                _tokens[callback] = MintCallbackToken(created.Id);
            }
            var file = Path.Combine(DataDir, "projects", Id(project), ProjectFile);
            if (!File.Exists(file)) await File.WriteAllBytesAsync(file, Png);
        }
    }

    private void SetRun(Ref run, Auth tool, RunCreated created)
    {
        _ids[run] = created.RunId;
        _tokens[tool] = created.ToolToken;
    }

    /// <summary>
    /// Only external requests get callback tokens from the service, and external mode needs Temporal; a token written
    /// the way the service stores one (the SHA-256 of the token) authenticates exactly as a minted one would.
    /// </summary>
    private string MintCallbackToken(string requestId)
    {
        var token = "odcb_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var connection = Open(readOnly: false);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "INSERT INTO callback_tokens (hash, request_id) VALUES ($hash, $request)";
        cmd.Parameters.AddWithValue("$hash", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))));
        cmd.Parameters.AddWithValue("$request", requestId);
        cmd.ExecuteNonQuery();
        return token;
    }

    private string Status(string table, string id)
    {
        using var connection = Open(readOnly: true);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT status FROM {table} WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return (string)cmd.ExecuteScalar()!;
    }

    private string RequestStatus(string id) => Status("media_requests", id);

    private SqliteConnection Open(bool readOnly)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(DataDir, "app.sqlite")};Mode={(readOnly ? "ReadOnly" : "ReadWrite")};Pooling=False");
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        Api.Dispose();
        App.Dispose();
        _dir.Dispose();
    }
}
