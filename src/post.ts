import { runPost } from './action/post-main.js'
import { avoidExitDeadlock } from './exit-safety.js'

avoidExitDeadlock()

void runPost()
