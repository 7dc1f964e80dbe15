// The maximum over channels: C×H×W to 1×H×W (torch.max(x, 1)[0].unsqueeze(1), CBAM's ChannelPool).

import { channelReduction } from './op';

export const channel_max = channelReduction('channel_max', 'Maximum over the channels, kept as one channel.', 'ReduceMax', 'torch.amax');
