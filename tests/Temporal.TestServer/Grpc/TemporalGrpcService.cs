using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace OpenDesign.Workflows.Temporal.TestServer.Grpc;

// The single gRPC "service" instance every bound RPC lands on. It looks the RPC up in the routing
// table and answers UNIMPLEMENTED, with a warning in the log, for anything not routed, so gaps in the
// test server show up in test output rather than as hangs.
internal sealed class TemporalGrpcService(RpcRouteTable routes, ILogger<TemporalGrpcService> logger)
{
    public async Task<IMessage> InvokeAsync(string fullMethodName, IMessage request, ServerCallContext context)
    {
        if (!routes.TryGet(fullMethodName, out var handler))
        {
            logger.LogWarning("Unimplemented Temporal RPC called: {Method}", fullMethodName);
            throw new RpcException(new Status(
                StatusCode.Unimplemented,
                $"{fullMethodName} is not implemented by the OpenDesign Temporal test server"));
        }
        try
        {
            return await handler(request, context);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "call cancelled by the client"));
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Temporal RPC {Method} failed inside the test server", fullMethodName);
            throw new RpcException(new Status(StatusCode.Internal, $"test server error: {ex.Message}"));
        }
    }
}
