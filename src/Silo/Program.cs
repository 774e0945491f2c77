using TaskFlow;
using TaskFlow.Demo;
using TaskFlow.Hosting;

// A standalone silo: the cluster deployment's worker. API nodes join it with TaskFlow:Cluster:Mode=Client.
var builder = Host.CreateApplicationBuilder(args);
var options = builder.Configuration.GetSection(TaskFlowOptions.SectionName).Get<TaskFlowOptions>() ?? new TaskFlowOptions();
var demo = options.Demo.Enabled;

builder.UseOrleans(silo => silo
    .UseLocalhostClustering(options.Cluster.SiloPort, options.Cluster.GatewayPort,
        serviceId: options.Cluster.ServiceId, clusterId: options.Cluster.ClusterId)
    .AddTaskFlow(builder.Configuration, tf =>
    {
        if (demo) tf.AddDemoTasks(options.Demo.HeartbeatSeconds);
    }));

await builder.Build().RunAsync();
