using Digest.Worker.Cli;

return await DigestCli.RunAsync(args, Console.Out, Console.Error);
